export { createBroker, type Broker, type BrokerOptions } from './broker.ts'
export { createGroupCommit, type GroupCommit } from './group-commit.ts'
export { decodeDevicePayload, REJECT_REASONS, type RejectReason } from './device-payloads.ts'
export { errorsTopic } from './topics.ts'
