/**
 * The registry's Redis keys (P = key prefix):
 *   P:tenants                set of tenant ids
 *   P:tenant:<t>:devices     set of device ids of tenant t
 *   P:device:<id>            hash { tenant, type, site, timeZone, secretHash, createdAt, devEui?, codec?, hub?, resident? }
 *   P:token:<tokenId>        hash { tenant, role, secretHash, createdAt }
 *   P:deveui:<devEui>        the device id of a LoRaWAN device (lower-case hex DevEUI)
 *   P:integration:<id>       hash { tenant, kind, secretHash, createdAt }: a network server's connection
 *   P:codec:<t>:<model>      hash { source, sha256, updatedAt }: a tenant's own LoRaWAN codec (TTN format)
 * None expires: each lives until it is deleted by hand.
 */
export function registryKeys(prefix: string) {
  return {
    tenants: `${prefix}:tenants`,
    tenantDevices: (t: string) => `${prefix}:tenant:${t}:devices`,
    device: (id: string) => `${prefix}:device:${id}`,
    token: (id: string) => `${prefix}:token:${id}`,
    devEui: (eui: string) => `${prefix}:deveui:${eui}`,
    integration: (id: string) => `${prefix}:integration:${id}`,
    codec: (tenant: string, model: string) => `${prefix}:codec:${tenant}:${model}`,
  }
}

export type RegistryKeys = ReturnType<typeof registryKeys>
