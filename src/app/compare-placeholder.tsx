/** The route of the quantization lab (`#/compare`) until its page lands. */
export function ComparePlaceholder() {
  return (
    <section aria-labelledby="compare-heading" className="panel page">
      <h2 id="compare-heading">Compare quantizations</h2>
      <p>
        Load two quantizations of one model and compare their answers, their agreement with each
        other and their speed, on this device. Coming soon.
      </p>
    </section>
  );
}
