// The only module that touches @vscode/webview-ui-toolkit. It is deprecated upstream; moving to
// another component set (e.g. @vscode-elements) means rewriting these few factories and nothing else.
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeDivider,
  vsCodeProgressRing,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDivider(), vsCodeBadge(), vsCodeProgressRing());
}

export type ButtonLook = 'primary' | 'secondary' | 'icon';

export function button(label: string, onClick: () => void, options: { look?: ButtonLook; title?: string } = {}): HTMLElement {
  const el = document.createElement('vscode-button');
  el.textContent = label;
  el.setAttribute('appearance', options.look ?? 'primary');
  if (options.title) {
    el.setAttribute('title', options.title);
    el.setAttribute('aria-label', options.title);
  }
  el.addEventListener('click', () => {
    if (!el.hasAttribute('disabled')) onClick();
  });
  return el;
}

export function setDisabled(el: HTMLElement, disabled: boolean): void {
  el.toggleAttribute('disabled', disabled);
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}

export function badge(text: string): HTMLElement {
  const el = document.createElement('vscode-badge');
  el.textContent = text;
  return el;
}

export function progressRing(): HTMLElement {
  const el = document.createElement('vscode-progress-ring');
  el.setAttribute('aria-label', 'Running');
  return el;
}
