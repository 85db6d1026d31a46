import type { DemoStep } from '../context.js';

export const createKeys: DemoStep = {
  title: 'Create a key in each cloud',
  async run(demo) {
    demo.keys = await demo.clouds.createKeys();
    const { aws, gcp, azure } = demo.keys;
    demo.narrator.say(
      `AWS KMS            AWS=${aws}\nGoogle Cloud KMS   GCP=${gcp}\nAzure Key Vault    AZURE=${azure}`,
    );
  },
};
