fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let parse = ra_ap_syntax::SourceFile::parse(&text, ra_ap_syntax::Edition::Edition2021);
    println!("{:#?}", parse.syntax_node());
}
