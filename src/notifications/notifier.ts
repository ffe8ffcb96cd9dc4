// The notification dispatcher the Local API calls: loads `notification_dir`, checks that every name a profile
// lists is defined (else an error naming the profile's file, the profile and the name), prepares the used
// notifications (template compiled, sender validated) and routes each stored alert to the channels its matching
// profiles named — without ever waiting. Counts deliveries in picket_notifications_{sent,failed,dropped}_total
// {name,type}. Owns the Notifier and NotifyError.

import client from 'prom-client';
import { PicketError } from '../core/errors.js';
import { loadNotificationDir, type NotificationConfig } from './config.js';
import { Channel, type AlertJson, type ChannelEvents } from './channel.js';
import { createSender, type SenderHooks } from './senders/index.js';
import { compileTemplate, TemplateError } from './template/index.js';
import { CROWDSEC_FUNCS } from './alert-view.js';

export class NotifyError extends PicketError {
  constructor(message: string) {
    super('NOTIFY_UNKNOWN_NAME', message);
  }
}

/** What a profile contributes to the check (structurally a profiles/Profile). */
export interface ProfileRef {
  name: string;
  document: number;
  where: string;
  notifications: string[];
}

export interface NotifierOptions {
  log?: (line: string) => void;
  /** counters are registered here (default: a registry of their own) */
  registry?: client.Registry;
  hooks?: SenderHooks;
  /** alerts waiting per notification before new ones are dropped (default 10000) */
  queueLimit?: number;
  /** first back-off between attempts (default 1 s, as CrowdSec) */
  backoffMs?: number;
}

function counter(reg: client.Registry, name: string, help: string): client.Counter<'name' | 'type'> {
  if (reg.getSingleMetric(name)) reg.removeSingleMetric(name);
  return new client.Counter({ name, help, labelNames: ['name', 'type'], registers: [reg] });
}

export class Notifier {
  private readonly channels = new Map<string, Channel>();
  private readonly log: (line: string) => void;
  readonly registry: client.Registry;
  private readonly events: ChannelEvents;

  constructor(
    readonly configs: Map<string, NotificationConfig>,
    private readonly o: NotifierOptions = {},
  ) {
    this.log = o.log ?? (() => undefined);
    this.registry = o.registry ?? new client.Registry();
    const sent = counter(this.registry, 'picket_notifications_sent_total', 'Alerts delivered by a notification');
    const failed = counter(
      this.registry,
      'picket_notifications_failed_total',
      'Alerts a notification failed to deliver after its retries',
    );
    const dropped = counter(
      this.registry,
      'picket_notifications_dropped_total',
      'Alerts dropped because a notification queue was full',
    );
    // log_level as the plugins use it: `off` silences a notification, debug / trace also log each delivery
    const quiet = (c: NotificationConfig) => c.logLevel.toLowerCase() === 'off';
    const verbose = (c: NotificationConfig) => ['debug', 'trace'].includes(c.logLevel.toLowerCase());
    this.events = {
      sent: (c, n) => {
        sent.inc({ name: c.name, type: c.type }, n);
        if (verbose(c)) this.log(`notification '${c.name}' (${c.type}): ${n} alert(s) delivered`);
      },
      failed: (c, n, why) => {
        failed.inc({ name: c.name, type: c.type }, n);
        if (!quiet(c)) this.log(`notification '${c.name}' (${c.type}): ${n} alert(s) not delivered: ${why}`);
      },
      dropped: (c, n) => {
        dropped.inc({ name: c.name, type: c.type }, n);
        if (!quiet(c)) this.log(`notification '${c.name}' (${c.type}): ${n} alert(s) dropped (queue full or stopping)`);
      },
    };
  }

  static load(dir: string, o: NotifierOptions = {}): Notifier {
    return new Notifier(loadNotificationDir(dir), o);
  }

  /** Builds the channel of `name`: compiles its template, validates its keys (throws when invalid). */
  channel(name: string): Channel {
    let ch = this.channels.get(name);
    if (ch) return ch;
    const cfg = this.configs.get(name);
    if (!cfg) throw new NotifyError(`notification '${name}' is not defined`);
    let template;
    try {
      template = compileTemplate(name, cfg.format, CROWDSEC_FUNCS);
    } catch (e) {
      if (e instanceof TemplateError)
        throw new PicketError('NOTIFY_CONFIG', `${cfg.keyWhere.format ?? cfg.where}: format: ${e.message}`);
      throw e;
    }
    ch = new Channel(cfg, template, createSender(cfg, this.o.hooks), this.events, {
      queueLimit: this.o.queueLimit ?? 10_000,
      backoffMs: this.o.backoffMs ?? 1000,
    });
    this.channels.set(name, ch);
    return ch;
  }

  /** Every notification a profile names must exist; each one used is prepared now (errors surface at start). */
  prepare(profiles: ProfileRef[]): void {
    for (const p of profiles) {
      for (const name of p.notifications) {
        if (!this.configs.has(name)) {
          const label = p.name ? `profile "${p.name}" (document ${p.document})` : `document ${p.document}`;
          throw new NotifyError(
            `${p.where}: ${label}: notifications: '${name}' is not defined in notification_dir` +
              (this.configs.size ? ` (defined: ${[...this.configs.keys()].join(', ')})` : ' (no notification defined)'),
          );
        }
        this.channel(name);
      }
    }
  }

  /** Routes a stored alert (wire JSON) to the named notifications; never throws, never waits. */
  dispatch(names: string[], alert: AlertJson): void {
    for (const name of names) {
      const ch = this.channels.get(name);
      if (ch) ch.add(alert);
      else this.log(`notification '${name}' is not configured: alert not sent`);
    }
  }

  /** Sends what waits and waits for the deliveries in progress. */
  async drain(): Promise<void> {
    await Promise.all([...this.channels.values()].map((c) => c.drain()));
  }

  /** Stops: what waits is still sent for `graceMs`, then dropped (counted), so a shutdown stays bounded. */
  async close(graceMs = 5000): Promise<void> {
    await Promise.all([...this.channels.values()].map((c) => c.close(graceMs)));
  }
}
