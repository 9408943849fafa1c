/**
 * Decodes the uplinks every Netvox device shares (Netvox LoRaWAN application command set), with
 * the model-specific parts from a NetvoxModel:
 *   FPort 6  [version][device type][report type][...]: report type 0x00 is the startup version
 *            report (SW version ×0.1, HW version, date code), 0x01 the status report
 *            (battery byte, then the model's readings);
 *   FPort 7  [command id][device type][...]: responses to configuration commands, 0x81
 *            ConfigReportRsp (status byte), 0x82 ReadConfigReportRsp (MinTime s, MaxTime s,
 *            BatteryChange ×0.1 V, then the model's thresholds), and the model's own commands.
 * Frames are 11 bytes; shorter ones, another device type or an unknown port, report type or
 * command give `errors`.
 */
import type { UplinkInput, UplinkOutput } from '../types.ts'
import { batteryTenthsVolts, dateCode, hex, isLowBattery, responseStatus, uintBE } from './fields.ts'
import type { NetvoxModel } from './model.ts'

const FRAME_LENGTH = 11

function decodeReport(model: NetvoxModel, bytes: readonly number[]): UplinkOutput {
  const reportType = bytes[2] ?? 0
  if (reportType === 0x00) {
    return {
      data: {
        Device: model.name,
        SWver: (bytes[3] ?? 0) / 10,
        HWver: bytes[4] ?? 0,
        Datecode: dateCode(bytes, 5),
      },
    }
  }
  if (reportType === 0x01) {
    const battery = bytes[3] ?? 0
    const data: Record<string, unknown> = { Device: model.name, Volt: model.volts(battery), ...model.readings(bytes.slice(4)) }
    if (isLowBattery(battery)) data.LowBattery = true
    return { data }
  }
  return { errors: [`unknown report type ${hex(reportType)}`] }
}

function decodeCommandResponse(model: NetvoxModel, bytes: readonly number[]): UplinkOutput {
  const command = bytes[0] ?? 0
  const payload = bytes.slice(2)
  if (command === 0x81) {
    return { data: { Cmd: 'ConfigReportRsp', Device: model.name, Status: responseStatus(payload[0] ?? 0) } }
  }
  if (command === 0x82) {
    return {
      data: {
        Cmd: 'ReadConfigReportRsp',
        Device: model.name,
        MinTime: uintBE(payload, 0, 2),
        MaxTime: uintBE(payload, 2, 2),
        BatteryChange: batteryTenthsVolts(payload[4] ?? 0),
        ...model.reportChanges?.(payload.slice(5)),
      },
    }
  }
  const own = model.commands?.get(command)
  if (own) return { data: { Cmd: own.name, Device: model.name, ...own.decode(payload) } }
  return { errors: [`unknown command ${hex(command)}`] }
}

export function decodeNetvoxUplink(model: NetvoxModel, input: UplinkInput): UplinkOutput {
  const { bytes, fPort } = input
  if (fPort !== 6 && fPort !== 7) return { errors: ['unknown FPort'] }
  if (bytes.length < FRAME_LENGTH) return { errors: [`payload too short: ${bytes.length} bytes, expected ${FRAME_LENGTH}`] }
  const deviceType = bytes[1] ?? 0
  if (deviceType !== model.deviceType) {
    return { errors: [`device type ${hex(deviceType)} is not a ${model.name} (${hex(model.deviceType)})`] }
  }
  return fPort === 6 ? decodeReport(model, bytes) : decodeCommandResponse(model, bytes)
}
