/** Users the fault suite adds to the example's seed (all with bob's password, role editor). */
export const FAULT_PASSWORD = 'bob-password';
/** Users whose sessions stay live through a scenario: only guarded reads and writes. */
export const LIVE_USER_IDS = Array.from({ length: 6 }, (_, i) => 100 + i);
/** Users whose sessions a scenario ends (one user per ending, never reused in a run). */
export const POOL_USER_IDS = Array.from({ length: 4_000 }, (_, i) => 1_000 + i);

/** The username of a user the suite added. */
export const username = (id: number) => `u${id}`;

/** Adds the live and pool users as copies of bob (same password hash, roles `["editor"]`). */
export const INSERT_USERS_SQL = `
  INSERT INTO example_user (id, username, "passwordHash", roles, disabled)
  SELECT ids.id, 'u' || ids.id, bob."passwordHash", '["editor"]', false
    FROM example_user bob,
         (SELECT generate_series(100, 105) AS id UNION ALL SELECT generate_series(1000, 4999)) ids
   WHERE bob.id = 2
  ON CONFLICT (id) DO NOTHING`;
