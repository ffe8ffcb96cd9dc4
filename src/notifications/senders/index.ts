// The sender of each notification type (http, slack, splunk, email, file), chosen from a NotificationConfig.
// Creating one validates the type's own keys (errors name the file, line and key).

import type { NotificationConfig } from '../config.js';
import { emailSender } from './email.js';
import { fileSender } from './file.js';
import { httpSender, slackSender, splunkSender } from './http.js';
import type { Sender, SenderHooks } from './options.js';

export type { Sender, SenderHooks } from './options.js';

export function createSender(cfg: NotificationConfig, hooks: SenderHooks = {}): Sender {
  switch (cfg.type) {
    case 'http':
      return httpSender(cfg);
    case 'slack':
      return slackSender(cfg);
    case 'splunk':
      return splunkSender(cfg);
    case 'email':
      return emailSender(cfg, hooks);
    case 'file':
      return fileSender(cfg);
  }
}
