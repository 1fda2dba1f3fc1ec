// Colour contrast as WCAG 2 computes it, on the app's own colour tokens (client/styles.css) in light and dark:
// for component tests that check small text stays at 4.5:1 or more in both themes.

export type Theme = 'light' | 'dark';
type Rgb = [number, number, number];

/** Loads client/styles.css (the global colour tokens) into the test page once. */
export async function useAppTokens(): Promise<void> {
  if (document.querySelector('style[data-app-tokens]')) return;
  const css = await (await fetch('/client/styles.css')).text();
  const style = document.createElement('style');
  style.dataset.appTokens = '';
  style.textContent = css;
  document.head.append(style);
}

export function setTheme(theme: Theme | null): void {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

/** The value of a colour token (e.g. '--oc-surface') as rgb, in the theme set now. */
export function tokenColour(name: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

function parse(colour: string): { rgb: Rgb; alpha: number } {
  const m = /rgba?\(([^)]+)\)/.exec(colour);
  if (!m) throw new Error(`not an rgb colour: ${colour}`);
  const [r, g, b, a] = m[1]!.split(/[,\s/]+/).filter(Boolean).map(Number);
  return { rgb: [r!, g!, b!], alpha: a ?? 1 };
}

const blend = (top: Rgb, alpha: number, under: Rgb): Rgb => top.map((c, i) => c * alpha + under[i]! * (1 - alpha)) as Rgb;

function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * Contrast of an element's text against `background` (a CSS colour; a translucent background of `within` is laid
 * on it first), with the opacity of the element and its ancestors up to `within` applied to the text.
 */
export function textContrast(el: Element, within: Element, background: string): number {
  let opacity = 1;
  for (let n: Element | null = el; n; n = n.parentElement ?? ((n.getRootNode() as ShadowRoot).host ?? null)) {
    opacity *= Number(getComputedStyle(n).opacity);
    if (n === within) break;
  }
  const page = parse(background).rgb;
  const box = parse(getComputedStyle(within).backgroundColor);
  const under = blend(box.rgb, box.alpha, page);
  const text = parse(getComputedStyle(el).color);
  const fg = blend(text.rgb, text.alpha * opacity, under);
  const [hi, lo] = [luminance(fg), luminance(under)].sort((a, b) => b - a);
  return (hi! + 0.05) / (lo! + 0.05);
}
