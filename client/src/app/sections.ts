// The app's sections in navigation order: used by the sidebar, the bottom navigation, the router
// and the "not built yet" page, so a section is named and described in one place.
import { Bot, ChartColumn, DatabaseBackup, FileText, House, ScrollText, Settings, Users, Webhook, type IconNode } from 'lucide';

export type SectionKey = 'home' | 'agents' | 'content' | 'advisors' | 'logs' | 'webhook' | 'analytics' | 'backups' | 'settings';

export interface Section {
  key: SectionKey;
  label: string;
  path: string;
  icon: IconNode;
  /** One of the five items of the phone's bottom navigation (the rest live under "More"). */
  inBottomNav: boolean;
  /** For sections not built yet: what brings them. */
  arrivesWith?: string;
  /** For sections not built yet: what the section will let you do. */
  willDo?: string;
}

export const SECTIONS: readonly Section[] = [
  { key: 'home', label: 'Home', path: '/', icon: House, inBottomNav: true },
  { key: 'agents', label: 'Agents', path: '/agents', icon: Bot, inBottomNav: true,
    arrivesWith: 'agent monitoring',
    willDo: 'See every agent as a tree with its schedule and current state, follow runs live with progress, logs and metrics, and trigger or cancel runs.' },
  { key: 'content', label: 'Content', path: '/content', icon: FileText, inBottomNav: true,
    arrivesWith: 'the content pipeline view',
    willDo: "Follow today's content through generation, compliance, approval and delivery, and approve or reject items one by one or in bulk." },
  { key: 'advisors', label: 'Advisors', path: '/advisors', icon: Users, inBottomNav: false,
    arrivesWith: 'advisor management',
    willDo: 'List, add, edit and disable advisors (name, ARN, phone), and see what each one received today.' },
  { key: 'logs', label: 'Logs', path: '/logs', icon: ScrollText, inBottomNav: true,
    arrivesWith: 'log search and live tail',
    willDo: 'Search PM2 and pipeline logs by text or pattern, level, source and time, and follow new lines live.' },
  { key: 'webhook', label: 'Webhook', path: '/webhook', icon: Webhook, inBottomNav: false,
    arrivesWith: 'the webhook monitor',
    willDo: 'Watch the WhatsApp webhook: connection health, button clicks, response times and CRM figures.' },
  { key: 'analytics', label: 'Analytics', path: '/analytics', icon: ChartColumn, inBottomNav: false,
    arrivesWith: 'analytics and reports',
    willDo: 'Daily, weekly and monthly summaries, time-series charts with their tables, and downloadable reports.' },
  { key: 'backups', label: 'Backups', path: '/backups', icon: DatabaseBackup, inBottomNav: false,
    arrivesWith: 'backup and restore',
    willDo: 'Create, download, import and restore backups, with progress and a dry run before any restore.' },
  { key: 'settings', label: 'Settings', path: '/settings', icon: Settings, inBottomNav: false,
    arrivesWith: 'users, tokens, alerts and push settings',
    willDo: 'Manage users and API tokens, alert rules, push notifications, the business timezone and the theme.' },
];

/** Sections with pages of their own (the rest show the "not built yet" page). */
export const BUILT_SECTIONS: ReadonlySet<SectionKey> = new Set<SectionKey>(['home', 'agents', 'logs', 'webhook', 'analytics']);

export function sectionByKey(key: string): Section | undefined {
  return SECTIONS.find((s) => s.key === key);
}

/** The section a path belongs to ('/agents/runs/1' → agents); undefined for login and unknown paths. */
export function sectionForPath(pathname: string): Section | undefined {
  if (pathname === '/' || pathname === '') return SECTIONS[0];
  return SECTIONS.find((s) => s.path !== '/' && (pathname === s.path || pathname.startsWith(`${s.path}/`)));
}
