/**
 * Generation-time settings of the connector: where the deployed API lives and the publisher's
 * links. Read from the environment by `npm run connector:build`; the committed files are the
 * defaults below, so a deployment sets CONNECTOR_HOST (and friends) and regenerates.
 */
export interface ConnectorOptions {
  /** Host (and optional port) Power Platform calls, e.g. dataflows-sms.azurewebsites.net. */
  host: string;
  /** Path prefix of the API on that host. */
  basePath: string;
  schemes: ('https' | 'http')[];
  websiteUrl: string;
  privacyPolicyUrl: string;
  supportEmail: string;
}

export const CONNECTOR_SETTINGS = {
  CONNECTOR_HOST: {
    default: 'dataflows-sms.azurewebsites.net',
    help: 'Host (and optional :port) of the deployed API that Power Platform calls.',
  },
  CONNECTOR_BASE_PATH: { default: '/api', help: 'Path prefix of the API on that host.' },
  CONNECTOR_SCHEMES: { default: 'https', help: 'Comma-separated schemes: https, or http for a test tunnel.' },
  CONNECTOR_WEBSITE_URL: {
    default: 'https://github.com/dataflows-sms/dataflows-sms',
    help: 'Publisher website shown on the connector (x-ms-connector-metadata).',
  },
  CONNECTOR_PRIVACY_URL: {
    default: 'https://github.com/dataflows-sms/dataflows-sms/blob/main/connector/readme.md#privacy',
    help: 'Privacy policy URL shown on the connector.',
  },
  CONNECTOR_SUPPORT_EMAIL: { default: 'support@dataflows-sms.dev', help: "Contact e-mail in the definition's info.contact." },
} as const;

export type ConnectorSettingName = keyof typeof CONNECTOR_SETTINGS;

export class ConnectorOptionsError extends Error {}

// The host pattern of the Power Platform swagger schema: no scheme, no path, optional port.
const HOST = /^[^{}/ :\\]+(?::\d+)?$/;

/** Reads the CONNECTOR_* variables; every bad value is reported at once, by name. */
export function connectorOptionsFromEnv(env: Record<string, string | undefined> = process.env): ConnectorOptions {
  const get = (name: ConnectorSettingName): string => {
    const v = env[name]?.trim();
    return v ? v : CONNECTOR_SETTINGS[name].default;
  };
  const problems: string[] = [];
  const host = get('CONNECTOR_HOST');
  if (!HOST.test(host)) problems.push(`CONNECTOR_HOST=${host} must be a host name with an optional :port, without scheme or path`);
  const basePath = get('CONNECTOR_BASE_PATH');
  if (!/^\/[A-Za-z0-9/_-]*$/.test(basePath)) problems.push(`CONNECTOR_BASE_PATH=${basePath} must start with / and hold only a URL path`);
  const schemes = get('CONNECTOR_SCHEMES')
    .split(',')
    .map((s) => s.trim());
  if (!schemes.length || schemes.some((s) => s !== 'https' && s !== 'http'))
    problems.push(`CONNECTOR_SCHEMES=${schemes.join(',')} must be https and/or http`);
  const url = (name: ConnectorSettingName): string => {
    const v = get(name);
    if (!/^https:\/\/[^\s]+$/.test(v)) problems.push(`${name}=${v} must be an https URL`);
    return v;
  };
  const websiteUrl = url('CONNECTOR_WEBSITE_URL');
  const privacyPolicyUrl = url('CONNECTOR_PRIVACY_URL');
  const supportEmail = get('CONNECTOR_SUPPORT_EMAIL');
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(supportEmail)) problems.push(`CONNECTOR_SUPPORT_EMAIL=${supportEmail} must be an e-mail address`);
  if (problems.length) throw new ConnectorOptionsError(`Invalid connector settings:\n- ${problems.join('\n- ')}`);
  return {
    host,
    basePath: basePath.replace(/\/+$/, '') || '/',
    schemes: schemes as ConnectorOptions['schemes'],
    websiteUrl,
    privacyPolicyUrl,
    supportEmail,
  };
}
