import { AuditChainHead } from './audit-chain-head.entity.js';
import { AuditCheckpoint } from './audit-checkpoint.entity.js';
import { AuditEvent } from './audit-event.entity.js';

/**
 * The audit log's entities, to add to the app's DataSource (the module's entity list includes
 * them).
 *
 * @example
 * new DataSource({ type: 'postgres', entities: [...auditEntities], migrations: [AuditLog1763900000000] });
 */
export const auditEntities = [AuditEvent, AuditCheckpoint, AuditChainHead];
