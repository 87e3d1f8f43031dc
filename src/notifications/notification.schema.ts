import { Notifications1764000000000 } from '../migrations/1764000000000-notifications.js';
import { NotificationDelivery } from './notification-delivery.entity.js';
import { SessionNotification } from './notification.entity.js';

/**
 * The notification entities, to add to the app's DataSource.
 *
 * @example
 * new DataSource({ ..., entities: [...sessionSecurityEntities, ...notificationEntities] });
 */
export const notificationEntities = [SessionNotification, NotificationDelivery];

/**
 * The notification migrations (PostgreSQL and SQLite).
 *
 * @example
 * new DataSource({ ..., migrations: [...sessionSecurityMigrations, ...notificationMigrations] });
 */
export const notificationMigrations = [Notifications1764000000000];
