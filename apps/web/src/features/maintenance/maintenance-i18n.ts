/* Text of maintenance windows (features/maintenance). */

export const maintenanceEn = {
  bannerCluster: (until: string): string =>
    `In maintenance until ${until}: this cluster's alerts are held.`,
  bannerHost: (node: string, until: string): string =>
    `${node} is in maintenance until ${until}: alerts about it are held.`,
  upcoming: (target: string, from: string): string => `${target}: maintenance from ${from}`,
  by: (who: string, reason: string): string => `by ${who}: ${reason}`,
  start: 'Maintenance…',
  end: 'End now',
  dialogTitle: (target: string): string => `Put ${target} in maintenance`,
  target: 'What',
  wholeCluster: 'the whole cluster',
  duration: 'For (minutes)',
  reason: 'Reason',
  reasonPlaceholder: 'kernel upgrade, planned switch…',
  submit: 'Start maintenance',
  cancel: 'Cancel',
  badge: 'maintenance',
  failed: (m: string): string => `Could not change maintenance: ${m}`,
};

export type MaintenanceMessages = typeof maintenanceEn;

export const maintenanceZhCN: MaintenanceMessages = {
  bannerCluster: (until) => `维护中，至 ${until}：本集群的告警暂缓。`,
  bannerHost: (node, until) => `${node} 维护中，至 ${until}：与其相关的告警暂缓。`,
  upcoming: (target, from) => `${target}：维护将于 ${from} 开始`,
  by: (who, reason) => `由 ${who}：${reason}`,
  start: '维护…',
  end: '立即结束',
  dialogTitle: (target) => `将 ${target} 置于维护`,
  target: '对象',
  wholeCluster: '整个集群',
  duration: '时长（分钟）',
  reason: '原因',
  reasonPlaceholder: '内核升级、计划切换…',
  submit: '开始维护',
  cancel: '取消',
  badge: '维护中',
  failed: (m) => `无法修改维护：${m}`,
};
