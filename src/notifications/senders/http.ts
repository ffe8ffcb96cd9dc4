// The webhook-shaped notification types, over undici with one Agent per notification: `http` (url, method,
// headers, skip_tls_verification, cert_path / key_path client certificate, ca_cert_path added to the system
// CAs, unix_socket; a JSON message with `url_query_params` and `request_body` adds query parameters), `slack`
// (incoming-webhook JSON: text, channel, username, icon_emoji, icon_url) and `splunk` (HEC: {"event": text},
// `Authorization: Splunk TOKEN`). Any status outside 2xx is a failed attempt. Owns these three senders.

import fs from 'node:fs';
import tls from 'node:tls';
import { Agent, request } from 'undici';
import type { NotificationConfig } from '../config.js';
import { goJson } from '../template/index.js';
import { Options, type Sender } from './options.js';

const RESPONSE_LIMIT = 64 * 1024;

interface Target {
  url: URL;
  method: string;
  headers: Record<string, string>;
  agent: Agent;
}

function readPem(o: Options, key: string): string | undefined {
  if (!o.has(key)) return undefined;
  const p = o.str(key);
  try {
    return fs.readFileSync(p, 'utf8');
  } catch (e) {
    return o.fail(key, `cannot read ${p}: ${(e as Error).message}`);
  }
}

function agentFor(o: Options, withClientCert: boolean): Agent {
  const ca = readPem(o, 'ca_cert_path');
  const cert = withClientCert && o.has('cert_path') && o.has('key_path') ? readPem(o, 'cert_path') : undefined;
  const key = cert !== undefined ? readPem(o, 'key_path') : undefined;
  const socketPath = o.has('unix_socket') ? o.str('unix_socket').replace(/\/$/, '') : undefined;
  return new Agent({
    connect: {
      rejectUnauthorized: !o.bool('skip_tls_verification'),
      ...(ca !== undefined ? { ca: [...tls.rootCertificates, ca] } : {}),
      ...(cert !== undefined ? { cert, key } : {}),
      ...(socketPath !== undefined ? { socketPath } : {}),
    },
  });
}

async function deliver(t: Target, url: URL, body: string, signal: AbortSignal): Promise<void> {
  const res = await request(url, {
    method: t.method as 'POST',
    headers: t.headers,
    body,
    dispatcher: t.agent,
    signal,
  });
  let got = '';
  for await (const chunk of res.body) {
    if (got.length < RESPONSE_LIMIT) got += (chunk as Buffer).toString('utf8');
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new Error(`${url.origin}${url.pathname} answered ${res.statusCode}: ${got.slice(0, 200).trim()}`);
  }
}

function sender(t: Target, shape: (message: string) => { url: URL; body: string }): Sender {
  return {
    send: async (message, signal) => {
      const { url, body } = shape(message);
      await deliver(t, url, body, signal);
    },
    close: () => t.agent.close(),
  };
}

/** `url_query_params` + `request_body` in a JSON message: query parameters added, the body replaced. */
function httpShape(base: URL, message: string): { url: URL; body: string } {
  const trimmed = message.trim();
  if (!trimmed.startsWith('{') || !trimmed.includes('url_query_params')) return { url: base, body: message };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { url: base, body: message };
  }
  const p = parsed as { url_query_params?: unknown; request_body?: unknown };
  if (typeof p.url_query_params !== 'object' || p.url_query_params === null || !('request_body' in p))
    return { url: base, body: message };
  const url = new URL(base);
  for (const [k, v] of Object.entries(p.url_query_params as Record<string, unknown>))
    url.searchParams.append(k, String(v));
  return { url, body: typeof p.request_body === 'string' ? p.request_body : JSON.stringify(p.request_body) };
}

export function httpSender(cfg: NotificationConfig): Sender {
  const o = new Options(cfg);
  const url = o.url('url');
  const method = o.str('method', 'POST').toUpperCase() || 'POST';
  if (!/^[A-Z]+$/.test(method)) o.fail('method', `'${method}' is not an HTTP method`);
  const t: Target = { url, method, headers: o.map('headers'), agent: agentFor(o, true) };
  return sender(t, (message) => httpShape(url, message));
}

export function slackSender(cfg: NotificationConfig): Sender {
  const o = new Options(cfg);
  const url = o.url('webhook');
  const extra: Record<string, string> = {};
  for (const k of ['channel', 'username', 'icon_emoji', 'icon_url']) if (o.has(k)) extra[k] = o.str(k);
  const t: Target = { url, method: 'POST', headers: { 'content-type': 'application/json' }, agent: agentFor(o, false) };
  return sender(t, (message) => ({ url, body: goJson({ text: message, ...extra }) }));
}

export function splunkSender(cfg: NotificationConfig): Sender {
  const o = new Options(cfg);
  const url = o.url('url');
  const token = o.required('token');
  const t: Target = { url, method: 'POST', headers: { authorization: `Splunk ${token}` }, agent: agentFor(o, false) };
  return sender(t, (message) => ({ url, body: goJson({ event: message }) }));
}
