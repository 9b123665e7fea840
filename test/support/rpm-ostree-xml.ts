/** rpm-ostree's published interface (src/api/rpm-ostree-interface.ts) as introspection XML, for clients written from it only. */
import { RPM_OSTREE_MEMBERS, type RpmOstreeInterface } from '../../src/api/rpm-ostree-interface.js';

const NAME = 'org.projectatomic.aptostree1';

/** rpm-ostree's interface as introspection XML, with the bus names swapped (all a client changes). */
export function rpmOstreeXml(): string {
  const ifaces: RpmOstreeInterface[] = ['Sysroot', 'OS', 'OSExperimental', 'Transaction'];
  const args = (sig: string, direction: string): string[] => splitSignature(sig).map((t, i) => `<arg name="a${i}" type="${t}" direction="${direction}"/>`);
  const body = ifaces.map((i) => {
    const members = RPM_OSTREE_MEMBERS.filter((m) => m.interface === i).map((m) => {
      if (m.kind === 'property') return `<property name="${m.name}" type="${m.in}" access="read"/>`;
      if (m.kind === 'signal')
        return `<signal name="${m.name}">${splitSignature(m.in)
          .map((t, n) => `<arg name="a${n}" type="${t}"/>`)
          .join('')}</signal>`;
      return `<method name="${m.name}">${[...args(m.in, 'in'), ...args(m.out, 'out')].join('')}</method>`;
    });
    return `<interface name="${NAME}.${i}">${members.join('')}</interface>`;
  });
  return `<node>${body.join('')}</node>`;
}

/** The complete types of a D-Bus signature, in order. */
function splitSignature(sig: string): string[] {
  const out: string[] = [];
  let i = 0;
  const one = (): void => {
    const c = sig[i++];
    if (c === 'a') return one();
    if (c === '(' || c === '{') {
      const close = c === '(' ? ')' : '}';
      while (sig[i] !== close) one();
      i++;
    }
  };
  while (i < sig.length) {
    const start = i;
    one();
    out.push(sig.slice(start, i));
  }
  return out;
}
