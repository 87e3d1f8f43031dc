import { Field, ID, ObjectType } from '@nestjs/graphql';

/** `me` in the example's GraphQL schema: the signed-in user. */
@ObjectType('User')
export class UserModel {
  @Field(() => ID) id!: string;
  @Field(() => String) username!: string;
  @Field(() => [String]) roles!: string[];
}
