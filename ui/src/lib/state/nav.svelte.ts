// Which screen is shown: a tiny in-memory router (the app has one window and no URLs worth sharing).

export type Screen = 'library' | 'runs' | 'run' | 'credentials' | 'verify' | 'settings';
export type RunTab = 'checklist' | 'signoff' | 'timeline' | 'events' | 'export';

export const nav = $state<{ screen: Screen; runId: string | null; tab: RunTab; focusItem: string | null }>({
  screen: 'runs',
  runId: null,
  tab: 'checklist',
  focusItem: null,
});

export function go(screen: Screen): void {
  nav.screen = screen;
}

export function openRun(runId: string, tab: RunTab = 'checklist', focusItem: string | null = null): void {
  nav.runId = runId;
  nav.tab = tab;
  nav.focusItem = focusItem;
  nav.screen = 'run';
}
