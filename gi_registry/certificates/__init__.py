"""Pure building blocks of certificates: keys, signed payloads, QR codes, serials, documents."""
