import type { SandboxDevice } from './sandbox-records.interface.js';
import { checkEnum, checkTimestamp, fail, isObject, type OperationError } from './sandbox-validation.js';

/** Device platforms (`device_object_common.platform`). */
const PLATFORMS = ['ios', 'android'];
/** Values of the attributes the spec types as enums (`device_object_common.attributes`). */
const ATTRIBUTE_ENUMS: Record<string, readonly string[]> = {
  push_enabled: ['true', 'false'],
  _last_status: ['', 'bounced', 'sent', 'suppressed'],
};

/**
 * Checks a device (v1 `device` with its token in `id`, v2 `device` with `token`, App API `custom_device`) and
 * returns it as the sandbox stores it, or the error. `strict` applies `device_object_common`: platform `ios` or
 * `android`, `last_used` in unix seconds, every attribute a string (`push_enabled` `"true"` or `"false"`).
 */
export function checkDevice(
  device: unknown,
  field: string,
  tokenField: 'id' | 'token',
  strict: boolean,
): SandboxDevice | OperationError {
  if (!isObject(device)) return fail(field, `${field} must be an object`);
  const { [tokenField]: token, platform, last_used: lastUsed, attributes } = device;
  if (typeof token !== 'string' || token.trim() === '')
    return fail(`${field}.${tokenField}`, `${field}.${tokenField} is required`);
  if (typeof platform !== 'string' || platform.trim() === '')
    return fail(`${field}.platform`, `${field}.platform is required`);
  if (attributes !== undefined && !isObject(attributes))
    return fail(`${field}.attributes`, `${field}.attributes must be an object`);
  if (strict) {
    const error =
      checkEnum(platform, `${field}.platform`, PLATFORMS) ??
      checkTimestamp(lastUsed, `${field}.last_used`) ??
      (attributes && checkDeviceAttributes(attributes, `${field}.attributes`));
    if (error) return error;
  } else if (lastUsed !== undefined && typeof lastUsed !== 'number') {
    return fail(`${field}.last_used`, 'last_used must be unix seconds');
  }
  return {
    id: token,
    platform,
    ...(lastUsed !== undefined && { lastUsed: lastUsed as number }),
    ...(attributes !== undefined && { attributes }),
  };
}

function checkDeviceAttributes(attributes: Record<string, unknown>, field: string): OperationError | undefined {
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'string')
      return fail(`${field}.${name}`, `${field}.${name} must be a string (device attributes are strings)`);
    const error = ATTRIBUTE_ENUMS[name] && checkEnum(value, `${field}.${name}`, ATTRIBUTE_ENUMS[name]);
    if (error) return error;
  }
  return undefined;
}
