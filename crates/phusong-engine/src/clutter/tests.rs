use super::*;
use crate::grid::GridSpec;
use crate::propagation::models::{hata_deygout::HataDeygout, itm::Itm, p1812::P1812};

const LINK: LinkSpec = LinkSpec {
    freq_mhz: 900.0,
    tx_height_m: 30.0,
    rx_height_m: 1.5,
};

#[test]
fn default_table_is_valid_and_round_trips_through_csv() {
    let t = ClutterTable::default();
    t.validate("default").unwrap();
    let back = ClutterTable::from_csv(&t.to_csv(), "x.csv").unwrap();
    assert_eq!(back, t);
    // P.1812 Table 2 heights.
    let h = |code| t.class(code).unwrap().height_m;
    let all = [
        codes::WATER,
        codes::OPEN,
        codes::SUBURBAN,
        codes::URBAN,
        codes::FOREST,
        codes::DENSE_URBAN,
    ];
    assert_eq!(all.map(h), [0.0, 0.0, 10.0, 15.0, 15.0, 20.0]);
}

#[test]
fn csv_errors_name_the_source_line_column_and_unit() {
    let bad = |text: &str, want: &[&str]| {
        let e = ClutterTable::from_csv(text, "lc.csv").unwrap_err().to_string();
        for w in want {
            assert!(e.contains(w), "{e:?} lacks {w:?}");
        }
    };
    let head = format!("{CSV_HEADER}\n");
    bad("", &["lc.csv", "empty file"]);
    bad("code,name\n1,a\n", &["lc.csv", "header", CSV_HEADER]);
    bad(&format!("{head}1,a,x,open-rural,none,0\n"), &["line 2", "height_m", "m"]);
    bad(&format!("{head}1,a,0,open-rural,none,zero\n"), &["line 2", "extra_loss_db", "dB"]);
    bad(&format!("{head}300,a,0,open-rural,none,0\n"), &["line 2", "code", "1–255"]);
    bad(&format!("{head}1,a,0,jungle,none,0\n"), &["line 2", "p1812", "urban-trees-forest"]);
    bad(&format!("{head}1,a,0,open-rural,jungle,0\n"), &["p2108", "trees-forest"]);
    bad(&format!("{head}1,a,0,open-rural,none\n"), &["line 2", "5 fields", "expected 6"]);
    bad(
        &format!("{head}1,a,0,open-rural,none,0\n# comment\n\n1,b,0,open-rural,none,0\n"),
        &["code 1 already used", "unique"],
    );
    bad(&format!("{head}0,a,0,open-rural,none,0\n"), &["code 0", "1–255"]);
    bad(&format!("{head}1,a,-2,open-rural,none,0\n"), &["height_m = -2", "0–100 m"]);
    bad(&format!("{head}1,a,0,suburban,suburban,0\n"), &["R > 0 m", "P.2108"]);
    bad(&format!("{head}1,a,0,open-rural,none,99\n"), &["extra_loss_db = 99", "dB"]);
    bad(
        &format!("{head}1,a,0,open-rural,none,0\n2,a,5,suburban,none,0\n"),
        &["name used twice"],
    );
    bad(&head, &["no class"]);
}

#[test]
fn raster_codes_missing_from_the_table_are_refused() {
    let g = GridSpec::covering(32648, 0.0, 0.0, 300.0, 300.0, 100.0);
    let mut r = Raster::filled(g, codes::OPEN, None);
    r.set(1, 1, 9);
    r.set(2, 2, 0);
    let e = ClutterMap::new(r.clone(), ClutterTable::default(), "lc.tif")
        .unwrap_err()
        .to_string();
    assert!(e.contains("lc.tif") && e.contains("code 9 on 1 cells"), "{e}");
    r.set(1, 1, codes::FOREST);
    let m = ClutterMap::new(r, ClutterTable::default(), "lc.tif").unwrap();
    assert_eq!(m.class_at_cell(1, 1).unwrap().name, "forest");
    assert!(m.class_at_cell(2, 2).is_none(), "0 is no data");
    let shares = m.shares();
    let get = |n: &str| shares.iter().find(|(k, _)| k == n).unwrap().1;
    assert!((get("open/rural") - 7.0 / 9.0).abs() < 1e-12);
    assert!((get("forest") - 1.0 / 9.0).abs() < 1e-12);
    assert!((get("no data") - 1.0 / 9.0).abs() < 1e-12);
    assert!((shares.iter().map(|s| s.1).sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn each_model_family_uses_exactly_one_mechanism() {
    let t = ClutterTable::default();
    let forest = t.class(codes::FOREST).unwrap();
    let ws = t.street_width_m;
    let itm = ClutterUse::of(&Model::Itm(Itm::default()));
    let hata = ClutterUse::of(&Model::HataDeygout(HataDeygout::default()));
    let p1812 = ClutterUse::of(&Model::P1812(P1812::default()));
    assert_eq!(itm, ClutterUse::P2108Terminal);
    assert_eq!(hata, ClutterUse::ClassOffset);
    assert_eq!(p1812, ClutterUse::ProfileHeights);
    // ITM: P.2108 alone (not the class offset); Hata: the offset alone; P.1812: nothing.
    let a_h = p2108::terminal_loss_db(0.9, 1.5, 15.0, 27.0, P2108Clutter::TreesForest);
    assert_eq!(itm.receiver_db(&LINK, forest, ws), a_h);
    assert_ne!(a_h, forest.extra_loss_db);
    assert_eq!(hata.receiver_db(&LINK, forest, ws), forest.extra_loss_db);
    assert_eq!(p1812.receiver_db(&LINK, forest, ws), 0.0);
    // Open land: no P.2108 (R = 0) and no offset by default.
    let open = t.class(codes::OPEN).unwrap();
    assert_eq!(itm.receiver_db(&LINK, open, ws), 0.0);
    assert_eq!(hata.receiver_db(&LINK, open, ws), 0.0);
}
