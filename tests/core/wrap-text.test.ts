import { describe, expect, it } from 'vitest';
import { wrapText } from '../../src/core/text/wrap-text.js';

describe('wrapText', () => {
  it('breaks at spaces so that no line is longer than the width', () => {
    const lines = wrapText('Skipped once the router port on the switch shows a link; unattended, the check decides.', 30);
    expect(lines).toEqual(['Skipped once the router port', 'on the switch shows a link;', 'unattended, the check decides.']);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(30);
  });

  it("keeps the text's own line breaks, blank lines and indentation", () => {
    expect(wrapText('First:\n\n  - unplug the NAS and wait ten seconds\nThen:', 20)).toEqual(['First:', '', '  - unplug the NAS', '  and wait ten', '  seconds', 'Then:']);
  });

  it('puts a word longer than the width on a line of its own, whole', () => {
    expect(wrapText('see /mnt/tank/backups/proxmox/vzdump-qemu-101.vma.zst now', 12)).toEqual(['see', '/mnt/tank/backups/proxmox/vzdump-qemu-101.vma.zst', 'now']);
  });

  it('never breaks a duration over two lines', () => {
    expect(wrapText('the shell was open for 1m 03s (exit 0)', 26)).toEqual(['the shell was open for', '1m 03s (exit 0)']);
    expect(wrapText('elapsed 2h 05m, of which 1m 03s waiting', 15)).toEqual(['elapsed 2h 05m,', 'of which 1m 03s', 'waiting']);
    expect(wrapText('took 3m then 12s more', 7)).toEqual(['took 3m', 'then', '12s', 'more']);
  });
});
