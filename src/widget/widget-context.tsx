import { createContext, useContext, type ReactNode } from 'react';
import { useStoreValue } from '../lib/external-store.ts';
import type { WidgetController, WidgetSnapshot } from './widget-controller.ts';

const WidgetContext = createContext<WidgetController | null>(null);

export function WidgetProvider({
  widget,
  children,
}: {
  widget: WidgetController;
  children: ReactNode;
}) {
  return <WidgetContext.Provider value={widget}>{children}</WidgetContext.Provider>;
}

export function useWidget(): WidgetController {
  const widget = useContext(WidgetContext);
  if (!widget) throw new Error('widget hooks need a <WidgetProvider> above them');
  return widget;
}

/** One part of the widget's state, re-rendering only when it changes. */
export function useWidgetValue<T>(select: (snapshot: WidgetSnapshot) => T): T {
  return useStoreValue(useWidget(), select);
}
