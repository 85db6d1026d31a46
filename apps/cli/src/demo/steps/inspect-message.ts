import { formatInspectReport, inspectFile } from '../../commands/inspect.js';
import type { DemoStep } from '../context.js';

export const inspectMessage: DemoStep = {
  title: 'Inspect it: the header says who can decrypt, no key needed',
  async run(demo) {
    demo.narrator.command('polykms inspect orders.csv.pkms');
    const report = formatInspectReport(await inspectFile(demo.path('orders.csv.pkms')));
    demo.narrator.say(report.replaceAll(demo.workDir, '.'));
  },
};
