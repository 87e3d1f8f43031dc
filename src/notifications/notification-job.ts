/** The data of one delivery job: which notification, through which channel. */
export interface NotificationJobData {
  notificationId: string;
  channel: string;
}

/**
 * The data of one page of deliveries through one channel: the job a batch of notifications
 * (a bulk revocation's, a re-queued backlog) is delivered by. Each delivery row is still claimed
 * on its own, so a page processed twice delivers each notification once.
 *
 * @example const page: NotificationPageJobData = { channel: 'webhook', notificationIds: [a, b] };
 */
export interface NotificationPageJobData {
  channel: string;
  notificationIds: string[];
}

/** Either kind of job on a notification queue. */
export type NotificationQueueJobData = NotificationJobData | NotificationPageJobData;

/** Whether the job is a page of deliveries rather than one. */
export function isPageJob(data: NotificationQueueJobData): data is NotificationPageJobData {
  return Array.isArray((data as NotificationPageJobData).notificationIds);
}
