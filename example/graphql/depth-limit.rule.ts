import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * A validation rule that refuses operations nested deeper than `maxDepth` fields (fragments
 * followed), so a crafted query cannot make the server walk an unbounded tree.
 *
 * @example validationRules: [depthLimit(8)]
 */
export function depthLimit(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const depth = depthOf(operation.selectionSet, context, new Set(), maxDepth + 1);
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`Query is nested deeper than ${maxDepth} levels`, {
            nodes: [operation],
          }),
        );
      }
    },
  });
}

function depthOf(
  selectionSet: SelectionSetNode | undefined,
  context: ValidationContext,
  visited: Set<string>,
  stopAt: number,
): number {
  if (!selectionSet || stopAt <= 0) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      depth = selection.selectionSet
        ? 1 + depthOf(selection.selectionSet, context, visited, stopAt - 1)
        : 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(selection.selectionSet, context, visited, stopAt);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (fragment && !visited.has(name)) {
        depth = depthOf(fragment.selectionSet, context, new Set(visited).add(name), stopAt);
      }
    }
    deepest = Math.max(deepest, depth);
    if (deepest >= stopAt) break;
  }
  return deepest;
}
