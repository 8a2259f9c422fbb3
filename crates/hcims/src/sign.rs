//! AK/SK request signing (`SDK-HMAC-SHA256`), byte-identical to huaweicloudsdkcore's signer.
