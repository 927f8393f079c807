"""The HTTP and GraphQL machinery around the domains: the ASGI app, the /graphql view with its
shared answers and viewer overlay, the executor's short path, validation extensions."""
