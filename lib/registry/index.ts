export {
  createRegistry,
  INTEGRATION_KINDS,
  INTEGRATION_USERNAME_PREFIX,
  TOKEN_ROLES,
  type ApiPrincipal,
  type Device,
  type Integration,
  type IntegrationKind,
  type NewDevice,
  type Registry,
  type TokenRole,
} from './registry.ts'
export { DEVICE_TYPES, type DeviceType } from './device-types.ts'
