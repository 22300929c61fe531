/// An independent reader of greenlight's attestations, for the tests: Python with in-toto's own bindings.
public enum InTotoReader {
    /// Reads a DSSE envelope as another tool would: recomputes the PAE, checks the Ed25519 signature
    /// with `cryptography`, parses and validates the statement with in-toto's own Python bindings
    /// (`in_toto_attestation`), and checks each approval's signature. Arguments: envelope file, base64
    /// public key, subject sha256 hex, predicate type.
    public static let script = #"""
        import base64, json, sys
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from google.protobuf import json_format
        from in_toto_attestation.v1 import statement_pb2
        from in_toto_attestation.v1.statement import Statement

        path, public_key, subject_hex, predicate_type = sys.argv[1:5]
        envelope = json.load(open(path))
        assert envelope["payloadType"] == "application/vnd.in-toto+json", envelope["payloadType"]
        body = base64.b64decode(envelope["payload"])
        kind = envelope["payloadType"].encode()
        pae = b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(body), body)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        assert len(envelope["signatures"]) == 1
        for signature in envelope["signatures"]:
            key.verify(base64.b64decode(signature["sig"]), pae)

        statement = Statement.copy_from_pb(json_format.Parse(body, statement_pb2.Statement()))
        statement.validate()
        parsed = json.loads(body)
        assert parsed["_type"] == "https://in-toto.io/Statement/v1"
        assert [s["digest"]["sha256"] for s in parsed["subject"]] == [subject_hex], parsed["subject"]
        assert parsed["predicateType"] == predicate_type
        predicate = parsed["predicate"]
        for approval in predicate["approvals"]:
            signed = base64.b64decode(approval["signedPayload"])
            Ed25519PublicKey.from_public_bytes(base64.b64decode(approval["publicKey"])).verify(
                base64.b64decode(approval["sig"]), signed)
            sign_off = json.loads(signed)
            assert sign_off["report_digest"] == predicate["reportDigest"]
            assert sign_off["role"] == approval["role"] and sign_off["signer"] == approval["signer"]
        print("verified: %d envelope signature, %d approvals" % (len(envelope["signatures"]), len(predicate["approvals"])))
        """#
}
