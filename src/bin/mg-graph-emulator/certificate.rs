//! X.509 certificates registered for app sign-in: their thumbprints (`x5t` is the base64url
//! SHA-1 of the DER bytes, `x5t#S256` the SHA-256) and RS256 signature checks with their RSA key.
//!
//! Only the DER path to `subjectPublicKeyInfo` is read; the certificate's own signature, dates and
//! extensions are not checked, as Entra does not check them for client assertions either.

use ring::digest;
use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};

/// A certificate's DER bytes, thumbprints and RSA public key.
#[derive(Debug, Clone)]
pub struct Certificate {
    der: Vec<u8>,
    sha1: Vec<u8>,
    sha256: Vec<u8>,
    /// The PKCS#1 `RSAPublicKey` DER that ring verifies with.
    rsa_public_key: Vec<u8>,
}

/// The OID 1.2.840.113549.1.1.1 (rsaEncryption) as DER content bytes.
const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

impl Certificate {
    /// Reads the first `-----BEGIN CERTIFICATE-----` block of PEM text.
    pub fn from_pem(pem: &str) -> Result<Certificate, String> {
        let begin = "-----BEGIN CERTIFICATE-----";
        let end = "-----END CERTIFICATE-----";
        let start = pem
            .find(begin)
            .ok_or("no '-----BEGIN CERTIFICATE-----' line; give the certificate in PEM form")?;
        let body = &pem[start + begin.len()..];
        let stop = body
            .find(end)
            .ok_or("no '-----END CERTIFICATE-----' line after the BEGIN line")?;
        let base64_text: String = body[..stop]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64::decode(base64_text)
            .map_err(|error| format!("the certificate's base64 is invalid: {error}"))?;
        Certificate::from_der(der)
    }

    /// Reads a DER certificate; fails unless it holds an RSA public key.
    pub fn from_der(der: Vec<u8>) -> Result<Certificate, String> {
        let rsa_public_key = rsa_public_key(&der)
            .ok_or("the certificate is not DER X.509 with an RSA public key")?;
        Ok(Certificate {
            sha1: digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &der)
                .as_ref()
                .to_vec(),
            sha256: digest::digest(&digest::SHA256, &der).as_ref().to_vec(),
            der,
            rsa_public_key,
        })
    }

    /// The SHA-1 thumbprint in upper-case hex, as Windows and Entra show it.
    pub fn hex_thumbprint(&self) -> String {
        self.sha1.iter().map(|byte| format!("{byte:02X}")).collect()
    }

    /// Whether hex text (any case, spaces and colons ignored) is this certificate's SHA-1 thumbprint.
    pub fn matches_hex_thumbprint(&self, hex: &str) -> bool {
        let cleaned: String = hex
            .chars()
            .filter(|c| !c.is_whitespace() && *c != ':')
            .collect();
        cleaned.eq_ignore_ascii_case(&self.hex_thumbprint())
    }

    /// Whether a JWT header's `x5t` (base64url SHA-1) names this certificate.
    pub fn matches_x5t(&self, x5t: &[u8]) -> bool {
        x5t == self.sha1.as_slice()
    }

    /// Whether a JWT header's `x5t#S256` (base64url SHA-256) names this certificate.
    pub fn matches_x5t_s256(&self, x5t: &[u8]) -> bool {
        x5t == self.sha256.as_slice()
    }

    /// Whether DER bytes (from an `x5c` entry) are this certificate.
    pub fn is_der(&self, der: &[u8]) -> bool {
        der == self.der.as_slice()
    }

    /// Checks an RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature over `message`.
    pub fn verify_rs256(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.rsa_public_key)
            .verify(message, signature)
            .is_ok()
    }
}

/// One DER element: its tag, its content, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let length = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let mut length = 0usize;
        for &byte in &rest[..count] {
            length = (length << 8) | usize::from(byte);
        }
        rest = &rest[count..];
        length
    };
    if rest.len() < length {
        return None;
    }
    Some((tag, &rest[..length], &rest[length..]))
}

/// Walks Certificate → tbsCertificate → subjectPublicKeyInfo and returns the RSAPublicKey DER.
fn rsa_public_key(der: &[u8]) -> Option<Vec<u8>> {
    const SEQUENCE: u8 = 0x30;
    let (tag, certificate, _) = element(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, tbs, _) = element(certificate)?;
    if tag != SEQUENCE {
        return None;
    }
    let mut fields = tbs;
    // An explicit [0] version comes first in v2 and v3 certificates.
    if fields.first() == Some(&0xa0) {
        fields = element(fields)?.2;
    }
    // serialNumber, signature, issuer, validity, subject.
    for _ in 0..5 {
        fields = element(fields)?.2;
    }
    let (tag, spki, _) = element(fields)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, algorithm, rest) = element(spki)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, oid, _) = element(algorithm)?;
    if tag != 0x06 || oid != RSA_ENCRYPTION_OID {
        return None;
    }
    let (tag, bits, _) = element(rest)?;
    // A BIT STRING whose first content byte counts the unused bits, which must be 0.
    if tag != 0x03 || bits.first() != Some(&0) {
        return None;
    }
    Some(bits[1..].to_vec())
}
