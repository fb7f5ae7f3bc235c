// The panel with Mermaid's ELK layout instead of dagre, for the layout comparison only: registers the
// ELK loaders and adds `layout: 'elk'` to the configuration graphView.ts passes to mermaid.initialize.
import mermaid from 'mermaid';
import elkLayouts from '@mermaid-js/layout-elk';
import '../../webview/main';

mermaid.registerLayoutLoaders(elkLayouts);
const initialize = mermaid.initialize.bind(mermaid);
mermaid.initialize = (config) => initialize({ ...config, layout: 'elk' });
