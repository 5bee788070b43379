import { Component, type ErrorInfo, type ReactNode } from 'react';

/** Keeps a failing region from taking the whole app (and the user's chat) down with it. */
export class ErrorBoundary extends Component<
  { region: string; children: ReactNode },
  { error: Error | null }
> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`${this.props.region} failed`, error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <section role="alert" className="panel alert">
        <p className="alert-title">
          The {this.props.region} panel failed: {this.state.error.message}
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </section>
    );
  }
}
