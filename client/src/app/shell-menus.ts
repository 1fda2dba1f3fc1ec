// The parts of the shell only a signed-in user opens: the account menu, the "More" drawer and the `?` shortcuts
// sheet. Their Shoelace components are imported here, lazily (after the first page has painted), so the sign-in
// page and every first paint go without them.
import '@shoelace-style/shoelace/dist/components/dropdown/dropdown.js';
import '@shoelace-style/shoelace/dist/components/menu/menu.js';
import '@shoelace-style/shoelace/dist/components/menu-item/menu-item.js';
import '@shoelace-style/shoelace/dist/components/menu-label/menu-label.js';
import '@shoelace-style/shoelace/dist/components/divider/divider.js';
import '@shoelace-style/shoelace/dist/components/drawer/drawer.js';
import '../components/shortcut-sheet.js';
