import type { DemoStep } from '../context.js';

// When the emulator can seed keys at start (`polykms emulator --create-key aws:NAME …`), the last
// paragraph can say so instead of creating keys with the AWS CLI.
export const realClouds: DemoStep = {
  title: 'Do the same on real clouds',
  async run(demo) {
    demo.narrator.say(
      'Log in as usual (aws configure / gcloud auth application-default login / az login); polykms uses\n' +
        "each cloud's default credential chain. Then, with your own key ids:\n\n" +
        '  AWS=aws-kms://arn:aws:kms:REGION:ACCOUNT:key/KEY_ID\n' +
        '  GCP=gcp-kms://projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY\n' +
        '  AZURE=azure-kv://VAULT.vault.azure.net/keys/KEY\n' +
        '  polykms encrypt orders.csv --key $AWS --key $GCP -c dataset=orders\n' +
        '  polykms inspect orders.csv.pkms\n' +
        '  polykms decrypt orders.csv.pkms --key $GCP -o orders.csv\n' +
        '  polykms keyset create orders.keyset --key $AWS --key $GCP\n' +
        '  polykms encrypt record.json --keyset orders.keyset --unlock $AWS\n' +
        '  polykms keyset rewrap orders.keyset --unlock $GCP --add-key $AZURE --remove-key $AWS\n' +
        '  polykms migrate ./archive --from $AWS --key $GCP --keyset orders.keyset --unlock $AZURE\n\n' +
        'Or keep playing locally: `polykms emulator --export-file emulator.env &`, then `. ./emulator.env`\n' +
        'in your shell: polykms, the SDKs and the AWS CLI v2 (which reads AWS_ENDPOINT_URL_KMS) talk to the\n' +
        'emulator. It starts with no keys: create one with `aws kms create-key --query KeyMetadata.Arn\n' +
        '--output text`, set AWS=aws-kms://<that ARN>, and the AWS commands above work against it.',
    );
  },
};
