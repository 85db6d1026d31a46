/**
 * Other tools' spellings of a key (Go CDK's `awskms://`, `gcpkms://`, `azurekeyvault://`, a bare
 * ARN or resource name as sops takes them) and ours: what a "did you mean" can offer.
 */
const AWS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\//;

function awsSuggestion(rest: string): string {
  const id = rest.replace(/^\/+/, '').replace(/\?.*$/, '');
  if (AWS_ARN.test(id) || id.startsWith('alias/')) return `aws-kms://${id}`;
  const region = /[?&]region=([a-z0-9-]+)/.exec(rest)?.[1] ?? '<region>';
  return `aws-kms://arn:aws:kms:${region}:<account>:key/${id || '<key-id>'}`;
}

/** The key URI polykms takes for `uri`, or a sentence saying the scheme is not supported. */
export function suggestKeyUri(
  uri: string,
): { readonly suggestion: string } | { readonly unsupported: string } | undefined {
  const match = /^([a-z0-9+.-]+):\/\/(.*)$/i.exec(uri);
  const scheme = match?.[1]?.toLowerCase();
  const rest = match?.[2] ?? '';
  switch (scheme) {
    case 'awskms':
      return { suggestion: awsSuggestion(rest) };
    case 'gcpkms':
      return { suggestion: `gcp-kms://${rest.replace(/^\/+/, '')}` };
    case 'azurekeyvault':
    case 'azure-keyvault':
    case 'azurekv':
      return { suggestion: `azure-kv://${rest.replace(/^\/+/, '')}` };
    case 'hashivault':
    case 'vault':
      return {
        unsupported:
          'HashiCorp Vault keys are not supported: polykms speaks to AWS KMS, Google Cloud KMS, Azure Key Vault and local key files',
      };
    case 'base64key':
      return {
        unsupported:
          'keys given inline are not supported (they end up in shell history): make a key file with `polykms keys generate FILE` and use local://FILE',
      };
    case 'https': {
      const azure = /^(?:[^/@]*@)?([^/]+\.vault\.azure\.net(?::\d+)?\/keys\/.+)$/i.exec(rest);
      return azure ? { suggestion: `azure-kv://${azure[1]}` } : undefined;
    }
    case undefined:
      if (AWS_ARN.test(uri)) return { suggestion: `aws-kms://${uri}` };
      if (/^projects\/[^/]+\/locations\/[^/]+\/keyRings\//.test(uri))
        return { suggestion: `gcp-kms://${uri}` };
      return undefined;
    default:
      return undefined;
  }
}

/** The hint line for a key URI polykms does not take, if another tool's spelling explains it. */
export function keyUriHint(uri: string): string | undefined {
  const hint = suggestKeyUri(uri);
  if (!hint) return undefined;
  return 'suggestion' in hint ? `did you mean ${hint.suggestion} ?` : hint.unsupported;
}
