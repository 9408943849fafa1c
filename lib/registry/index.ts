export { createRegistry, TOKEN_ROLES, type Registry, type Device, type ApiPrincipal, type TokenRole, type NewDevice } from './registry.ts'
export { DEVICE_TYPES, type DeviceType } from './device-types.ts'
