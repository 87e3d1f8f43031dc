import { describePolicyTests } from '../src/testing/index.js';
import { builtInPolicy } from './policy.js';

// The example's policy test suite, run by `npm test`: one test per case of the file, and one
// that fails while a rule or `when` branch of the built-in policy is never exercised.
describePolicyTests('example/example.policy-tests.yaml', {
  policy: builtInPolicy,
  title: "the example's built-in policy",
});
