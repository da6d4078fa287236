import { instance } from '@viz-js/viz';

/** Renders Graphviz DOT to SVG with Graphviz compiled to WebAssembly (no system package). */
export async function dotToSvg(dot: string): Promise<string> {
  const viz = await instance();
  return viz.renderString(dot, { format: 'svg', engine: 'dot' });
}
