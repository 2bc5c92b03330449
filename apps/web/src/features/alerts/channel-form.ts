import type { AlertChannel, AlertChannelInput, AlertChannelType } from '@keepwatch/shared';

/*
 * The channel form as flat text fields, and its mapping to and from the REST body. Secrets
 * come back from the server as MASK; the form shows MASK untouched and sends it back as is,
 * which tells the server to keep the stored secret. Emptying a secret field removes it.
 */

export const MASK = '********';
export const CHANNEL_TYPES = [
  'webhook',
  'dingtalk',
  'wecom',
  'feishu',
  'email',
] as const satisfies readonly AlertChannelType[];
export type StartTls = 'required' | 'opportunistic' | 'off';

export interface ChannelDraft {
  type: AlertChannelType;
  name: string;
  enabled: boolean;
  url: string;
  secret: string;
  key: string;
  /** One "Name: value" per line. */
  headers: string;
  template: string;
  host: string;
  port: string;
  secure: boolean;
  starttls: StartTls;
  user: string;
  pass: string;
  from: string;
  /** Addresses separated by commas, semicolons or new lines. */
  to: string;
}
export type DraftField = keyof ChannelDraft;
export type DraftError = 'required' | 'url' | 'port' | 'email' | 'headers' | 'wecomTarget';
export type DraftErrors = Partial<Record<DraftField, DraftError>>;

export function emptyDraft(type: AlertChannelType = 'webhook'): ChannelDraft {
  return {
    type,
    name: '',
    enabled: true,
    url: '',
    secret: '',
    key: '',
    headers: '',
    template: '',
    host: '',
    port: '587',
    secure: false,
    starttls: 'opportunistic',
    user: '',
    pass: '',
    from: '',
    to: '',
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function isType(v: string): v is AlertChannelType {
  return (CHANNEL_TYPES as readonly string[]).includes(v);
}

/** The form for editing a stored channel (secrets arrive masked and stay masked). */
export function draftFromChannel(channel: AlertChannel): ChannelDraft {
  const c = channel.config;
  const headers =
    typeof c['headers'] === 'object' && c['headers'] !== null
      ? (c['headers'] as Record<string, unknown>)
      : {};
  const starttls = str(c['starttls']);
  return {
    ...emptyDraft(isType(channel.type) ? channel.type : 'webhook'),
    name: channel.name,
    enabled: channel.enabled,
    url: str(c['url']),
    secret: str(c['secret']),
    key: str(c['key']),
    headers: Object.entries(headers)
      .map(([k, v]) => `${k}: ${str(v)}`)
      .join('\n'),
    template: str(c['template']),
    host: str(c['host']),
    port: typeof c['port'] === 'number' ? String(c['port']) : '',
    secure: c['secure'] === true,
    starttls: starttls === 'required' || starttls === 'off' ? starttls : 'opportunistic',
    user: str(c['user']),
    pass: str(c['pass']),
    from: str(c['from']),
    to: Array.isArray(c['to']) ? c['to'].map(str).join(', ') : '',
  };
}

/** Header lines → record; null when a non-empty line is not "Name: value". */
export function parseHeaders(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (name === '') return null;
    out[name] = line.slice(colon + 1).trim();
  }
  return out;
}

export function parseRecipients(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const URL_RE = /^https?:\/\/\S{1,2040}$/;
const EMAIL_RE = /^[^\s@<>]+@[^\s@<>]+$/;
/** "Keepwatch <kw@example.com>" or a bare address. */
const FROM_RE = /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;

function urlError(url: string, required: boolean): DraftError | undefined {
  if (url.trim() === '') return required ? 'required' : undefined;
  return URL_RE.test(url.trim()) ? undefined : 'url';
}

function emailErrors(d: ChannelDraft): DraftErrors {
  const port = Number(d.port);
  const to = parseRecipients(d.to);
  return {
    host: d.host.trim() === '' ? 'required' : undefined,
    port: Number.isInteger(port) && port >= 1 && port <= 65535 ? undefined : 'port',
    from: d.from.trim() === '' ? 'required' : FROM_RE.test(d.from.trim()) ? undefined : 'email',
    to: to.length === 0 ? 'required' : to.every((a) => EMAIL_RE.test(a)) ? undefined : 'email',
  };
}

function configErrors(d: ChannelDraft): DraftErrors {
  switch (d.type) {
    case 'webhook':
      return {
        url: urlError(d.url, true),
        headers: parseHeaders(d.headers) === null ? 'headers' : undefined,
      };
    case 'dingtalk':
    case 'feishu':
      return { url: urlError(d.url, true) };
    case 'wecom':
      return d.key.trim() === '' && d.url.trim() === ''
        ? { key: 'wecomTarget' }
        : { url: urlError(d.url, false) };
    case 'email':
      return emailErrors(d);
  }
}

/** Field → problem; empty when the draft can be sent. */
export function validateDraft(d: ChannelDraft): DraftErrors {
  const all: DraftErrors = {
    name: d.name.trim() === '' ? 'required' : undefined,
    ...configErrors(d),
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

/** Adds `key: value` only when value is non-empty (optional fields are left out, not ""). */
function opt<K extends string>(key: K, value: string): Partial<Record<K, string>> {
  const v = value.trim();
  return v === '' ? {} : ({ [key]: v } as Record<K, string>);
}

/** The REST body for a valid draft (call validateDraft first). */
export function draftToInput(d: ChannelDraft): AlertChannelInput {
  const common = { name: d.name.trim(), enabled: d.enabled };
  switch (d.type) {
    case 'webhook': {
      const headers = parseHeaders(d.headers) ?? {};
      const hasHeaders = Object.keys(headers).length > 0;
      return {
        ...common,
        type: 'webhook',
        config: {
          url: d.url.trim(),
          ...(hasHeaders && { headers }),
          ...opt('template', d.template),
        },
      };
    }
    case 'dingtalk':
    case 'feishu':
      return { ...common, type: d.type, config: { url: d.url.trim(), ...opt('secret', d.secret) } };
    case 'wecom':
      return { ...common, type: 'wecom', config: { ...opt('key', d.key), ...opt('url', d.url) } };
    case 'email':
      return {
        ...common,
        type: 'email',
        config: {
          host: d.host.trim(),
          port: Number(d.port),
          secure: d.secure,
          starttls: d.starttls,
          ...opt('user', d.user),
          ...opt('pass', d.pass),
          from: d.from.trim(),
          to: parseRecipients(d.to),
        },
      };
  }
}
