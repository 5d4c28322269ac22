// The operands' TLS flags (upstream's chart renders the same three when set: metallb-operator
// bindata/deployment/helm/metallb/templates/controller.yaml and speaker.yaml). The values were checked by the
// operator (operator/env.ts) with the parser the operands use (kube/tls/settings.ts).
import type { TlsOptions } from './options';

export function tlsArgs(tls: TlsOptions): string[] {
  return [
    ...(tls.minVersion === undefined ? [] : [`--tls-min-version=${tls.minVersion}`]),
    ...(tls.cipherSuites === undefined ? [] : [`--tls-cipher-suites=${tls.cipherSuites}`]),
    ...(tls.curvePreferences === undefined ? [] : [`--tls-curve-preferences=${tls.curvePreferences}`]),
  ];
}
