"""The official SDK (huaweicloudsdkims) driven the way its documentation shows, for side-by-side runs."""

from __future__ import annotations

import warnings
from typing import Any

INSTANCE = "877a2cda-ba63-4e1e-b95f-e67e48b6129a"
DESCRIPTION = "benchmark image"


def official_client(endpoint: str, ak: str, sk: str, project_id: str, pool_size: int = 10) -> Any:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials  # type: ignore[import-untyped]
    from huaweicloudsdkcore.http.http_config import HttpConfig  # type: ignore[import-untyped]
    from huaweicloudsdkims.v2 import ImsClient  # type: ignore[import-untyped]

    config = HttpConfig.get_default_config()
    # Enough pooled connections for the thread count; the SDK's default of 10 would serialise a 64-thread run.
    config.pool_connections = pool_size
    config.pool_maxsize = pool_size
    credentials = BasicCredentials(ak, sk, project_id)
    return (
        ImsClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([endpoint])
        .build()
    )


def official_create(client: Any, name: str) -> str:
    from huaweicloudsdkims.v2 import CreateImageRequest, CreateImageRequestBody  # type: ignore[import-untyped]

    body = CreateImageRequestBody(name=name, instance_id=INSTANCE, description=DESCRIPTION)
    return str(client.create_image(CreateImageRequest(body=body)).job_id)


def official_prepare(client: Any, name: str) -> Any:
    """Everything the official SDK does before sending a create: model, serialise, sign."""
    from huaweicloudsdkims.v2 import (  # type: ignore[import-untyped]
        CreateImageRequest,
        CreateImageRequestBody,
        ImsClient,
    )

    body = CreateImageRequestBody(name=name, instance_id=INSTANCE, description=DESCRIPTION)
    info = ImsClient._create_image_http_info(CreateImageRequest(body=body))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return client.build_future_request(
            info["method"],
            info["resource_path"],
            info["path_params"],
            info["query_params"],
            info["header_params"],
            info["body"],
            None,
            info["cname"],
            info["response_type"],
            info["collection_formats"],
            None,
        ).result()
