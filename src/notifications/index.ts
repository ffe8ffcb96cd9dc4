// Public API of notifications (CrowdSec's notification plugins, run in-process): configs from
// `notification_dir`, the Go text/template renderer with Sprig, the http / slack / splunk / email / file
// senders, and the Notifier the Local API hands stored alerts to.

export { Notifier, NotifyError, type NotifierOptions, type ProfileRef } from './notifier.js';
export {
  loadNotificationDir,
  parseNotificationFile,
  strictExpand,
  NotificationConfigError,
  type NotificationConfig,
  type NotificationType,
} from './config.js';
export { compileTemplate, TemplateError, type CompiledTemplate } from './template/index.js';
export { templateAlerts, CROWDSEC_FUNCS } from './alert-view.js';
export type { AlertJson } from './channel.js';
