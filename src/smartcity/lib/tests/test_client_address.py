from smartcity.lib import ratelimit


def test_an_ipv4_client_on_a_dual_stack_socket_is_counted_as_itself_not_as_one_v6_block(settings):
    settings.RATELIMIT_IPV6_MASK = 64
    assert ratelimit._bucket("::ffff:1.2.3.4") == "1.2.3.4"
    assert ratelimit._bucket("::ffff:5.6.7.8") == "5.6.7.8"
    assert ratelimit._bucket("2001:db8::1") == "2001:db8::/64"
