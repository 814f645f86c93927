//! Parsing, display, mixing and classification of reviewer recipients.

use super::*;
use crate::crypto::envelope::{seal, stanza_types};

/// age's own test recipients (age 0.12, `native/tag.rs` and `tagpq.rs`).
pub(crate) const TAG: &str = "age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4e";
pub(crate) const TAGPQ: &str = "age1tagpq1m3e4wvp6hzcrn9exhy0ae3xfx2sjymp594k3tg7j4dpmj922we65vtnmrt2pyallax8669zqkr2pmfchptr4n38kug2xmcmp3adk2lnjqu00x5kxz5pvhmrltvfh9wuq973pcx35cnq8syn9qd3tzpehgztl4xpzr3tpd67g8af9trnjpc05gh7wu536aq4qt2y8zhsm4tvrfpsfl36qs5fpzysnk3sp9w77qzeg49357xex40v4s2lvt620swyys7u8yxdcnu4rkkwxdmt55gsuc3h5c5swahnegjgqwc60hn085ec3sjztwm45l44y3j2at9t6v9zra4ek3kek6waecqm98yaxl37w0d2zra626nz63jdm5sg59w7lyptw83zm6fntd8d0x03a9z6h9prfgpygzar6zrxjcrt4cdctk2mhf95s4a6v4zklfd49xhpsaeujm57thx2x3e3hwzc86ftfhmq5mkxxz3d6r8ws24xj4qfn73eyezg2wy094e3why592pghz27ruq3vkyegrv80eftnw9wqzwgvnwyseaus0yt84fylzrpzp6x2fguxuqjmgudr8xd33qm30evdpxd3jvjg8qh4q60kyq80jgff369k7nrepdc38grd2dava520excqp0ey0x39khx8ry03yffcatgv84fsx5j49djpapedsy693zute5xv5g2ewzrlj5se7akvkc4g4vmzhputpq8eyj9wz5dz6qtn7g3cfpd95nahw4ytspan0feyye04dcylv24ege7zkaj004gjwcxqxfqu2quawa83sx452jqjn8t48czp0xspwgnmvjyhttzzy6nhq8xzkdwnvsfefkwva6asrqc93zjn4rly5gnlv93xy3uzmr39szvjnf63426qzyeyvguc4vdcquwgsxgq236afcpqz866ny4tn7ckc0umefj242rt5vtvwqzzrvfev2mpvqcufp9pqvefyv4ftyuhgausfzuaadsczeykmft5wv3frzgrcp9ztr93h478ke4t86spp2uhyjkj73mp9g92ddk2fpv7v3njzsqgwhq3789sqrgkskehn0zjscckhwftyq4vet7vrlx2hs5kd9cwnq6t0djffhh3zquh4j3p0yaj9z2rc9wykg0usqw7983rrgur9jg8rnnqypwcz2lyclnnc705fc5g3an93ps60q6mxqp85u0ewtxdjlqcks84yduft0a0g6e7naew3v9u2d08knarvajn8q3gq9pgxde3s7nx94lus48wwvw2xjm7k82tvylec2393jdsuvch2xpe77w8hpv9nvsxfsrs270njpmfvpmgyk2cffl9tjp3qqcc4dfkf5rme2dg0x7ew8g39www5smm705q5da4eqvnqwrkavtq6xje9ss38hnkglz4eddz8f5qruvqmq2ff9l22gwkv8h432rdkysy0grkul8e2fedvkyyapfxt760udcgu92m54wl9yavmj4ga3ph9r5n99cjrq6wj5v33x33fe5vkjvfwnnt40wuv2hyexc9f4ylyqv9ldqq9epd4yuv8vrsfx2qy2kqz08kqhnzspy6s0x8fa5c2xkg5y2q0rvz4vnk7rp0acg6eksc3t7cxnn8y7glkjsqja3p56uz6vvhcw55d3ysad0hvsqxpjnc7svenf2gc5xn5kyr0et2vvyruxlnpqcdpqh9pzplumy5yzjxftyzh9ujfw0jq7ee60zx2x23p0jzyh9dvmly8p9h9ysptlqu7kwnejd65dnr75a0np2fvke8xen38r57w6z3wz3mycjmmn267wwxndfh9jdps7uxtct2wwfgamkpa5ap8s96lhfjztpwcm6fguhphu38yunu2v4vz3syzrvgwtqpemkewzp766nyu6texxvjlaemnhyyqutkcy6a42vqfsz49rw5wr4gt70r4vdaasehqjg46fnyts4sthrxadfllha3avu49wsj2c4jx";

fn x25519() -> Recipient {
    Recipient::X25519(x25519::Identity::generate().to_public())
}

#[test]
fn each_kind_parses_displays_back_and_says_if_post_quantum() {
    let x = x25519();
    let back: Recipient = x.to_string().parse().unwrap();
    assert_eq!(back.to_string(), x.to_string());
    assert!(!x.is_post_quantum());
    assert_eq!(x.kind(), StanzaKind::X25519);

    let t: Recipient = TAG.parse().unwrap();
    assert_eq!(t.to_string(), TAG);
    assert!(!t.is_post_quantum());
    assert_eq!(t.kind(), StanzaKind::P256Tag);

    let pq: Recipient = TAGPQ.parse().unwrap();
    assert_eq!(pq.to_string(), TAGPQ);
    assert!(pq.is_post_quantum());
    assert_eq!(pq.kind(), StanzaKind::MlKem768P256Tag);
}

#[test]
fn malformed_recipients_are_refused() {
    for bad in [
        "",
        "age1",
        "age1tag1",
        "age1tagpq1qqqq",
        "AGE-SECRET-KEY-1QQQQ",
        &TAG[..TAG.len() - 1],
        &TAGPQ[..TAGPQ.len() - 2],
    ] {
        assert!(
            matches!(bad.parse::<Recipient>(), Err(CryptoError::BadRecipient)),
            "{bad:?} parsed"
        );
    }
}

#[test]
fn a_mixed_set_is_refused_before_age_is_called_with_a_clear_message() {
    let pq: Recipient = TAGPQ.parse().unwrap();
    let e = seal(b"x", &[pq.clone(), x25519()]).unwrap_err();
    assert!(matches!(
        e,
        CryptoError::MixedRecipients {
            post_quantum: 1,
            classical: 1
        }
    ));
    assert!(e.to_string().contains("same kind of key"), "{e}");
    let tag: Recipient = TAG.parse().unwrap();
    assert!(check_set(&[pq.clone(), tag]).is_err());
    assert!(check_set(std::slice::from_ref(&pq)).is_ok());
}

#[test]
fn sealed_envelopes_carry_the_stanzas_of_their_recipients_kinds() {
    let tag: Recipient = TAG.parse().unwrap();
    let pq: Recipient = TAGPQ.parse().unwrap();

    let classical = [x25519(), tag.clone()];
    let ct = seal(b"x", &classical).unwrap();
    let types = stanza_types(&ct).unwrap();
    assert!(addressed_to(&types, &classical));
    assert!(!addressed_to(&types, &classical[..1]));
    assert_eq!(classify(&types), Protection::Classical);

    let ct = seal(b"x", std::slice::from_ref(&pq)).unwrap();
    let types = stanza_types(&ct).unwrap();
    assert_eq!(types, vec!["mlkem768p256tag".to_string()]);
    assert!(addressed_to(&types, std::slice::from_ref(&pq)));
    assert!(!addressed_to(&types, &[tag]));
    assert_eq!(classify(&types), Protection::PostQuantum);
}

#[test]
fn unknown_or_missing_stanzas_classify_as_unknown() {
    assert_eq!(classify(&[]), Protection::Unknown);
    assert_eq!(classify(&["scrypt".into()]), Protection::Unknown);
    assert_eq!(
        classify(&["X25519".into(), "mlkem768p256tag".into()]),
        Protection::Unknown
    );
}
