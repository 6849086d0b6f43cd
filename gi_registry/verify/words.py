"""What each verdict says to a consumer: an icon, a headline and one plain sentence.

`good` decides whether the page adds the warning that the item may not be genuine and the link to
report a suspected fake. The icon always comes with words: status never depends on colour alone.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Words:
    css: str
    icon: str
    headline: object  # a lazy string
    explanation: object
    good: bool = False


CERTIFICATE_VERDICTS = {
    "valid": Words("valid", "✔", _l("Valid"),
                   _l("This certificate is genuine and the producer is authorized to use the "
                      "special mark today."), good=True),
    "suspended": Words("suspended", "‖", _l("Suspended"),
                       _l("The producer's authorization is suspended: it may not use the special "
                          "mark until the office lifts the suspension.")),
    "revoked": Words("revoked", "✖", _l("Revoked"),
                     _l("The producer's authorization has been revoked: it may no longer use the "
                        "special mark.")),
    "expired": Words("expired", "◷", _l("Expired"),
                     _l("This certificate's period of validity has ended.")),
    "not_yet_valid": Words("expired", "◷", _l("Not yet valid"),
                           _l("This certificate's period of validity has not begun.")),
    "superseded": Words("superseded", "↻", _l("Superseded"),
                        _l("This certificate has been replaced by a newer one. Check the "
                           "current certificate below.")),
    "key_compromised": Words("invalid", "✖", _l("Not valid: withdrawn signing key"),
                             _l("This certificate was signed with a key the office has "
                                "withdrawn. It can no longer be trusted; the producer should "
                                "hold a reissued certificate.")),
    "not_found": Words("not_found", "?", _l("Not found"),
                       _l("The registry has no certificate or label with this code.")),
    "altered": Words("invalid", "✖", _l("Altered or forged QR code"),
                     _l("The details carried in this QR code do not match the registry's "
                        "signature.")),
    "foreign": Words("invalid", "⚠", _l("Not the registry's address"),
                     _l("This QR code points to another website, not to the registry.")),
}  # fmt: skip

LABEL_VERDICTS = {
    "valid": Words("valid", "✔", _l("Genuine label"),
                   _l("This label was issued to an authorized producer, whose authorization is "
                      "valid today."), good=True),
    "suspended": Words("suspended", "‖", _l("Producer suspended"),
                       _l("The label was issued by the registry, but the producer's "
                          "authorization is suspended: it may not use the special mark now.")),
    "revoked": Words("revoked", "✖", _l("Producer's authorization revoked"),
                     _l("The label was issued by the registry, but the producer's "
                        "authorization has been revoked.")),
    "expired": Words("expired", "◷", _l("Producer's authorization expired"),
                     _l("The label was issued by the registry, but the producer's "
                        "authorization has expired.")),
}  # fmt: skip
