/** The data of one delivery job: which notification, through which channel. */
export interface NotificationJobData {
  notificationId: string;
  channel: string;
}
