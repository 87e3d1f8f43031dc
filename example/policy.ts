import type { PolicyDocument } from '../src/index.js';

/**
 * The example's built-in policy (replaced by `SESSION_POLICY_FILE`): editors update only their
 * own articles and read reports on weekday office hours in Berlin; admins may do anything, but
 * only from the internal network.
 */
export const builtInPolicy: PolicyDocument = {
  networks: { internal: ['10.0.0.0/8', '127.0.0.1/32', '::1/128'] },
  roles: {
    admin: [{ id: 'admin-all', action: 'manage', subject: 'all', when: { network: 'internal' } }],
    editor: [
      { id: 'editor-read', action: 'read', subject: 'Article' },
      {
        id: 'editor-own',
        action: 'update',
        subject: 'Article',
        conditions: { authorId: '${user.id}' },
      },
      {
        id: 'editor-reports',
        action: 'read',
        subject: 'Report',
        when: { hours: { days: 'Mon-Fri', from: '08:00', to: '20:00', tz: 'Europe/Berlin' } },
      },
    ],
    viewer: [{ id: 'viewer-read', action: 'read', subject: 'Article' }],
  },
};
