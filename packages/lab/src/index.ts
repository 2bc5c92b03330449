export { Lab, type LabOptions, type LabStatus, type ServiceAction } from './lab';
export { checkPrerequisites, type PrerequisiteReport, type Prerequisite } from './prereqs';
export { formatStatus } from './lab-status';
export type { ServiceStatus } from './lab-context';
export type { AgentConfigOptions } from './agent-config';
export type { StartAgentOptions } from './agent-control';
export { ensureAgentBundle, agentBundlePath } from './agent-bundle';
export type { ExecResult } from './exec';
export { labClusterModel, type LabConfigFlavour } from './lab-model';
export type {
  HostName,
  HostRole,
  LabHost,
  Scheme,
  ServiceKind,
  Topology,
  VrrpInstance,
} from './topology';
