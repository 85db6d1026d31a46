/** The EDK provider id of AWS KMS, as every AWS Encryption SDK writes it. */
export const PROVIDER_ID = 'aws-kms';
