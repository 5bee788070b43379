import { useWidget, useWidgetValue } from '../widget-context.tsx';

/**
 * A site's script asks to use the model (the host API). The visitor answers here, inside the
 * widget's own origin, where the site cannot click for them.
 */
export function GrantAsk() {
  const widget = useWidget();
  const origin = useWidgetValue((s) => s.grantAsk);
  if (!origin) return null;
  return (
    <section role="alertdialog" aria-labelledby="grant-heading" className="grant-ask">
      <h2 id="grant-heading">Let {origin} use this model?</h2>
      <p>
        The site’s own features would send the model text and read its answers, on your device. It
        still cannot read this chat. You can withdraw this in Tab LLM’s Privacy panel.
      </p>
      <div className="actions">
        <button type="button" onClick={() => widget.answerGrant(true)}>
          Allow
        </button>
        <button type="button" className="secondary" onClick={() => widget.answerGrant(false)}>
          Don’t allow
        </button>
      </div>
    </section>
  );
}
