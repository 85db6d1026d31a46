import type { DemoStep } from '../context.js';

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
        '  polykms decrypt orders.csv.pkms --key $GCP -o orders-copy.csv\n' +
        '  polykms keyset create orders.keyset --key $AWS --key $GCP\n' +
        '  polykms encrypt record.json --keyset orders.keyset --unlock $AWS\n' +
        '  polykms keyset rewrap orders.keyset --unlock $GCP --add-key $AZURE --remove-key $AWS\n' +
        '  polykms migrate ./archive --from $AWS --key $GCP --keyset orders.keyset --unlock $AZURE\n\n' +
        'Or keep playing locally, with no account: start the emulator with a key in each cloud, load\n' +
        'its environment, and every command above runs against it (so do the AWS CLI, boto3, gcloud kms\n' +
        'and the cloud SDKs):\n\n' +
        '  polykms emulator --create-key aws:orders --create-key gcp:app/orders --create-key azure:orders \\\n' +
        '      --export-file emulator.env &\n' +
        '  polykms emulator wait --export-file emulator.env && . ./emulator.env\n' +
        '  AWS=$POLYKMS_KEY_AWS_ORDERS GCP=$POLYKMS_KEY_GCP_APP_ORDERS AZURE=$POLYKMS_KEY_AZURE_ORDERS',
    );
  },
};
