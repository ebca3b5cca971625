//! Tables the generator draws from. Place names, regions and postcode areas are
//! public facts about England; every service and provider name is composed from the
//! invented word lists at the end, so no generated record describes a real service.

use candour_domain::Region;

// ---------------------------------------------------------------- places

/// An English local authority with adult social care duties.
pub struct Authority {
    pub name: &'static str,
    /// The postal county written in addresses; empty where none is used.
    pub county: &'static str,
    /// Resident population in thousands, used as the weight for placing services.
    pub population_k: u32,
    pub latitude: f64,
    pub longitude: f64,
    /// Half-width, in degrees, of the box around the centre that services fall in.
    pub spread: f64,
    /// Postcode districts: area letters with a range of district numbers.
    pub districts: &'static [(&'static str, u8, u8)],
    pub towns: &'static [&'static str],
}

/// One region of England: its share of the country's adult social care locations,
/// its authorities, and the start of its phone numbers.
pub struct RegionTable {
    pub region: Region,
    pub share_per_mille: u32,
    /// Phone numbers are drawn from Ofcom's ranges reserved for drama, which are
    /// never allocated to a real line; three random digits complete each number.
    pub phone_prefix: &'static str,
    pub authorities: &'static [Authority],
}

#[allow(clippy::too_many_arguments)]
const fn la(
    name: &'static str,
    county: &'static str,
    population_k: u32,
    latitude: f64,
    longitude: f64,
    spread: f64,
    districts: &'static [(&'static str, u8, u8)],
    towns: &'static [&'static str],
) -> Authority {
    Authority { name, county, population_k, latitude, longitude, spread, districts, towns }
}

pub const REGIONS: [RegionTable; 9] = [
    RegionTable { region: Region::SouthEast, share_per_mille: 165, phone_prefix: "01184960", authorities: SOUTH_EAST },
    RegionTable { region: Region::NorthWest, share_per_mille: 135, phone_prefix: "01614960", authorities: NORTH_WEST },
    RegionTable { region: Region::London, share_per_mille: 125, phone_prefix: "02079460", authorities: LONDON },
    RegionTable {
        region: Region::EastOfEngland,
        share_per_mille: 115,
        phone_prefix: "01632960",
        authorities: EAST_OF_ENGLAND,
    },
    RegionTable {
        region: Region::WestMidlands,
        share_per_mille: 110,
        phone_prefix: "01214960",
        authorities: WEST_MIDLANDS,
    },
    RegionTable { region: Region::SouthWest, share_per_mille: 110, phone_prefix: "01174960", authorities: SOUTH_WEST },
    RegionTable {
        region: Region::YorkshireAndTheHumber,
        share_per_mille: 95,
        phone_prefix: "01134960",
        authorities: YORKSHIRE_AND_THE_HUMBER,
    },
    RegionTable {
        region: Region::EastMidlands,
        share_per_mille: 95,
        phone_prefix: "01154960",
        authorities: EAST_MIDLANDS,
    },
    RegionTable { region: Region::NorthEast, share_per_mille: 50, phone_prefix: "01914980", authorities: NORTH_EAST },
];

/// The authorities the small register covers, in four regions.
pub const SMALL_AUTHORITIES: &[&str] =
    &["Leeds", "Bradford", "Manchester", "Stockport", "Camden", "Croydon", "Kent", "Brighton and Hove"];

#[rustfmt::skip]
const NORTH_EAST: &[Authority] = &[
    la("County Durham", "County Durham", 522, 54.72, -1.75, 0.2, &[("DH", 1, 9), ("DL", 12, 17)], &["Durham", "Chester-le-Street", "Bishop Auckland", "Consett", "Seaham"]),
    la("Darlington", "County Durham", 108, 54.53, -1.55, 0.04, &[("DL", 1, 3)], &["Darlington"]),
    la("Gateshead", "Tyne and Wear", 196, 54.95, -1.62, 0.04, &[("NE", 8, 11)], &["Gateshead"]),
    la("Hartlepool", "County Durham", 92, 54.68, -1.21, 0.03, &[("TS", 24, 27)], &["Hartlepool"]),
    la("Middlesbrough", "North Yorkshire", 143, 54.57, -1.23, 0.03, &[("TS", 1, 8)], &["Middlesbrough"]),
    la("Newcastle upon Tyne", "Tyne and Wear", 300, 54.98, -1.61, 0.04, &[("NE", 1, 7)], &["Newcastle upon Tyne"]),
    la("North Tyneside", "Tyne and Wear", 209, 55.02, -1.5, 0.04, &[("NE", 25, 30)], &["North Shields", "Whitley Bay", "Wallsend"]),
    la("Northumberland", "Northumberland", 320, 55.2, -1.9, 0.3, &[("NE", 61, 71), ("NE", 22, 24)], &["Morpeth", "Hexham", "Alnwick", "Blyth", "Cramlington"]),
    la("Redcar and Cleveland", "North Yorkshire", 136, 54.58, -1.05, 0.05, &[("TS", 10, 14)], &["Redcar", "Guisborough", "Saltburn-by-the-Sea"]),
    la("South Tyneside", "Tyne and Wear", 147, 54.97, -1.43, 0.03, &[("NE", 31, 36)], &["South Shields", "Jarrow", "Hebburn"]),
    la("Stockton-on-Tees", "County Durham", 197, 54.57, -1.32, 0.04, &[("TS", 16, 21)], &["Stockton-on-Tees", "Billingham", "Thornaby"]),
    la("Sunderland", "Tyne and Wear", 274, 54.9, -1.4, 0.04, &[("SR", 1, 6)], &["Sunderland", "Washington", "Houghton le Spring"]),
];

#[rustfmt::skip]
const NORTH_WEST: &[Authority] = &[
    la("Blackburn with Darwen", "Lancashire", 155, 53.73, -2.48, 0.04, &[("BB", 1, 3)], &["Blackburn", "Darwen"]),
    la("Blackpool", "Lancashire", 141, 53.81, -3.04, 0.03, &[("FY", 1, 4)], &["Blackpool"]),
    la("Bolton", "Greater Manchester", 296, 53.58, -2.43, 0.05, &[("BL", 1, 7)], &["Bolton", "Farnworth", "Horwich"]),
    la("Bury", "Greater Manchester", 193, 53.59, -2.3, 0.04, &[("BL", 8, 9)], &["Bury", "Ramsbottom", "Prestwich"]),
    la("Cheshire East", "Cheshire", 398, 53.16, -2.3, 0.2, &[("CW", 1, 12), ("SK", 9, 11)], &["Crewe", "Macclesfield", "Congleton", "Wilmslow", "Nantwich"]),
    la("Cheshire West and Chester", "Cheshire", 357, 53.2, -2.75, 0.15, &[("CH", 1, 4), ("CH", 65, 66)], &["Chester", "Ellesmere Port", "Northwich", "Winsford"]),
    la("Cumberland", "Cumbria", 273, 54.65, -3.2, 0.3, &[("CA", 1, 28)], &["Carlisle", "Workington", "Whitehaven", "Cockermouth", "Maryport"]),
    la("Halton", "Cheshire", 128, 53.35, -2.73, 0.03, &[("WA", 7, 8)], &["Runcorn", "Widnes"]),
    la("Knowsley", "Merseyside", 154, 53.45, -2.85, 0.03, &[("L", 34, 36)], &["Prescot", "Huyton", "Kirkby"]),
    la("Lancashire", "Lancashire", 1235, 53.85, -2.6, 0.3, &[("PR", 1, 9), ("BB", 4, 12), ("LA", 1, 6)], &["Preston", "Lancaster", "Burnley", "Chorley", "Accrington", "Lytham St Annes", "Morecambe"]),
    la("Liverpool", "Merseyside", 486, 53.41, -2.98, 0.04, &[("L", 1, 27)], &["Liverpool"]),
    la("Manchester", "Greater Manchester", 552, 53.48, -2.24, 0.05, &[("M", 1, 23)], &["Manchester"]),
    la("Oldham", "Greater Manchester", 242, 53.54, -2.11, 0.04, &[("OL", 1, 9)], &["Oldham", "Chadderton", "Royton"]),
    la("Rochdale", "Greater Manchester", 223, 53.61, -2.16, 0.04, &[("OL", 10, 16)], &["Rochdale", "Heywood", "Middleton"]),
    la("Salford", "Greater Manchester", 270, 53.49, -2.3, 0.04, &[("M", 27, 30)], &["Salford", "Eccles", "Swinton"]),
    la("Sefton", "Merseyside", 279, 53.55, -3.0, 0.06, &[("L", 20, 23), ("PR", 8, 9)], &["Southport", "Bootle", "Crosby", "Formby"]),
    la("St Helens", "Merseyside", 183, 53.45, -2.74, 0.04, &[("WA", 9, 11)], &["St Helens", "Newton-le-Willows"]),
    la("Stockport", "Greater Manchester", 294, 53.4, -2.15, 0.04, &[("SK", 1, 8)], &["Stockport", "Cheadle", "Marple"]),
    la("Tameside", "Greater Manchester", 231, 53.48, -2.08, 0.04, &[("SK", 14, 16)], &["Hyde", "Stalybridge", "Dukinfield"]),
    la("Trafford", "Greater Manchester", 235, 53.42, -2.35, 0.04, &[("M", 31, 33), ("WA", 14, 15)], &["Sale", "Altrincham", "Stretford"]),
    la("Warrington", "Cheshire", 210, 53.39, -2.59, 0.04, &[("WA", 1, 5)], &["Warrington"]),
    la("Westmorland and Furness", "Cumbria", 225, 54.35, -2.8, 0.25, &[("LA", 7, 23)], &["Kendal", "Barrow-in-Furness", "Ulverston", "Windermere"]),
    la("Wigan", "Greater Manchester", 330, 53.54, -2.63, 0.05, &[("WN", 1, 7)], &["Wigan", "Leigh", "Ashton-in-Makerfield"]),
    la("Wirral", "Merseyside", 320, 53.37, -3.07, 0.05, &[("CH", 41, 49), ("CH", 60, 63)], &["Birkenhead", "Wallasey", "Heswall", "Bebington"]),
];

#[rustfmt::skip]
const YORKSHIRE_AND_THE_HUMBER: &[Authority] = &[
    la("Barnsley", "South Yorkshire", 245, 53.55, -1.48, 0.06, &[("S", 70, 75)], &["Barnsley", "Penistone", "Wombwell"]),
    la("Bradford", "West Yorkshire", 546, 53.8, -1.8, 0.07, &[("BD", 1, 22)], &["Bradford", "Keighley", "Shipley", "Bingley", "Ilkley"]),
    la("Calderdale", "West Yorkshire", 206, 53.72, -1.9, 0.06, &[("HX", 1, 7)], &["Halifax", "Brighouse", "Todmorden"]),
    la("Doncaster", "South Yorkshire", 308, 53.52, -1.13, 0.08, &[("DN", 1, 12)], &["Doncaster", "Thorne", "Mexborough"]),
    la("East Riding of Yorkshire", "East Yorkshire", 342, 53.85, -0.5, 0.2, &[("HU", 10, 20), ("YO", 15, 16), ("YO", 25, 25)], &["Beverley", "Bridlington", "Goole", "Driffield", "Cottingham"]),
    la("Kingston upon Hull", "East Yorkshire", 267, 53.75, -0.34, 0.03, &[("HU", 1, 9)], &["Hull"]),
    la("Kirklees", "West Yorkshire", 433, 53.65, -1.75, 0.07, &[("HD", 1, 9), ("WF", 12, 17)], &["Huddersfield", "Dewsbury", "Batley", "Holmfirth"]),
    la("Leeds", "West Yorkshire", 812, 53.8, -1.55, 0.07, &[("LS", 1, 29)], &["Leeds", "Otley", "Wetherby", "Morley", "Pudsey"]),
    la("North East Lincolnshire", "Lincolnshire", 157, 53.55, -0.08, 0.04, &[("DN", 31, 37)], &["Grimsby", "Cleethorpes", "Immingham"]),
    la("North Lincolnshire", "Lincolnshire", 169, 53.6, -0.6, 0.1, &[("DN", 15, 21)], &["Scunthorpe", "Brigg", "Barton-upon-Humber"]),
    la("North Yorkshire", "North Yorkshire", 615, 54.1, -1.5, 0.35, &[("HG", 1, 5), ("YO", 11, 14), ("DL", 6, 10), ("YO", 7, 8)], &["Harrogate", "Scarborough", "Northallerton", "Ripon", "Skipton", "Selby", "Whitby"]),
    la("Rotherham", "South Yorkshire", 266, 53.43, -1.35, 0.05, &[("S", 60, 66)], &["Rotherham", "Maltby", "Rawmarsh"]),
    la("Sheffield", "South Yorkshire", 556, 53.38, -1.47, 0.06, &[("S", 1, 14)], &["Sheffield"]),
    la("Wakefield", "West Yorkshire", 353, 53.68, -1.5, 0.07, &[("WF", 1, 11)], &["Wakefield", "Pontefract", "Castleford", "Ossett"]),
    la("York", "North Yorkshire", 202, 53.96, -1.08, 0.04, &[("YO", 1, 1), ("YO", 10, 10), ("YO", 23, 24), ("YO", 30, 32)], &["York"]),
];

#[rustfmt::skip]
const EAST_MIDLANDS: &[Authority] = &[
    la("Derby", "Derbyshire", 261, 52.92, -1.48, 0.04, &[("DE", 21, 24)], &["Derby"]),
    la("Derbyshire", "Derbyshire", 796, 53.1, -1.55, 0.2, &[("DE", 4, 7), ("S", 40, 45), ("SK", 17, 17), ("DE", 55, 56)], &["Chesterfield", "Matlock", "Buxton", "Ilkeston", "Belper", "Ripley"]),
    la("Leicester", "Leicestershire", 368, 52.63, -1.13, 0.04, &[("LE", 1, 5)], &["Leicester"]),
    la("Leicestershire", "Leicestershire", 712, 52.7, -1.15, 0.2, &[("LE", 7, 19), ("LE", 65, 67)], &["Loughborough", "Hinckley", "Melton Mowbray", "Market Harborough", "Coalville"]),
    la("Lincolnshire", "Lincolnshire", 768, 53.15, -0.3, 0.35, &[("LN", 1, 13), ("PE", 20, 25), ("NG", 31, 34)], &["Lincoln", "Boston", "Grantham", "Skegness", "Spalding", "Louth", "Sleaford"]),
    la("North Northamptonshire", "Northamptonshire", 360, 52.38, -0.7, 0.12, &[("NN", 8, 18)], &["Kettering", "Corby", "Wellingborough", "Rushden"]),
    la("West Northamptonshire", "Northamptonshire", 425, 52.23, -0.95, 0.15, &[("NN", 1, 7), ("NN", 11, 12)], &["Northampton", "Daventry", "Towcester", "Brackley"]),
    la("Nottingham", "Nottinghamshire", 324, 52.95, -1.15, 0.04, &[("NG", 1, 11)], &["Nottingham"]),
    la("Nottinghamshire", "Nottinghamshire", 837, 53.1, -1.0, 0.2, &[("NG", 12, 25), ("S", 80, 81)], &["Mansfield", "Newark", "Worksop", "Retford", "Hucknall", "Beeston"]),
    la("Rutland", "Rutland", 41, 52.66, -0.64, 0.06, &[("LE", 15, 15)], &["Oakham", "Uppingham"]),
];

#[rustfmt::skip]
const WEST_MIDLANDS: &[Authority] = &[
    la("Birmingham", "West Midlands", 1145, 52.48, -1.9, 0.07, &[("B", 1, 48)], &["Birmingham", "Sutton Coldfield"]),
    la("Coventry", "West Midlands", 345, 52.41, -1.51, 0.04, &[("CV", 1, 6)], &["Coventry"]),
    la("Dudley", "West Midlands", 323, 52.5, -2.1, 0.05, &[("DY", 1, 9)], &["Dudley", "Stourbridge", "Brierley Hill"]),
    la("Herefordshire", "Herefordshire", 187, 52.06, -2.72, 0.2, &[("HR", 1, 9)], &["Hereford", "Leominster", "Ledbury", "Ross-on-Wye"]),
    la("Sandwell", "West Midlands", 341, 52.51, -2.01, 0.04, &[("B", 64, 71)], &["West Bromwich", "Oldbury", "Smethwick", "Tipton"]),
    la("Shropshire", "Shropshire", 325, 52.65, -2.75, 0.25, &[("SY", 1, 13), ("TF", 9, 13)], &["Shrewsbury", "Oswestry", "Ludlow", "Bridgnorth", "Market Drayton"]),
    la("Solihull", "West Midlands", 216, 52.41, -1.77, 0.04, &[("B", 90, 94)], &["Solihull", "Shirley", "Knowle"]),
    la("Staffordshire", "Staffordshire", 876, 52.8, -2.05, 0.2, &[("ST", 5, 21), ("WS", 11, 15), ("B", 77, 79)], &["Stafford", "Newcastle-under-Lyme", "Lichfield", "Tamworth", "Cannock", "Burton upon Trent", "Leek"]),
    la("Stoke-on-Trent", "Staffordshire", 258, 53.0, -2.18, 0.04, &[("ST", 1, 4)], &["Stoke-on-Trent"]),
    la("Telford and Wrekin", "Shropshire", 185, 52.68, -2.45, 0.05, &[("TF", 1, 8)], &["Telford", "Newport"]),
    la("Walsall", "West Midlands", 284, 52.59, -1.98, 0.04, &[("WS", 1, 10)], &["Walsall", "Bloxwich", "Willenhall"]),
    la("Warwickshire", "Warwickshire", 596, 52.3, -1.55, 0.2, &[("CV", 7, 13), ("CV", 21, 23), ("CV", 31, 37)], &["Warwick", "Nuneaton", "Rugby", "Leamington Spa", "Stratford-upon-Avon"]),
    la("Wolverhampton", "West Midlands", 263, 52.59, -2.13, 0.04, &[("WV", 1, 14)], &["Wolverhampton"]),
    la("Worcestershire", "Worcestershire", 603, 52.2, -2.2, 0.2, &[("WR", 1, 15), ("DY", 10, 14), ("B", 96, 98)], &["Worcester", "Kidderminster", "Redditch", "Bromsgrove", "Malvern", "Evesham"]),
];

#[rustfmt::skip]
const EAST_OF_ENGLAND: &[Authority] = &[
    la("Bedford", "Bedfordshire", 185, 52.14, -0.47, 0.06, &[("MK", 40, 45)], &["Bedford", "Kempston"]),
    la("Cambridgeshire", "Cambridgeshire", 678, 52.3, 0.05, 0.2, &[("CB", 1, 25), ("PE", 13, 19), ("PE", 26, 28)], &["Cambridge", "Ely", "Huntingdon", "St Neots", "Wisbech", "March"]),
    la("Central Bedfordshire", "Bedfordshire", 294, 52.0, -0.45, 0.12, &[("LU", 5, 7), ("SG", 15, 19)], &["Dunstable", "Leighton Buzzard", "Biggleswade", "Flitwick"]),
    la("Essex", "Essex", 1503, 51.8, 0.55, 0.3, &[("CM", 0, 9), ("CO", 1, 16), ("SS", 11, 17)], &["Chelmsford", "Colchester", "Basildon", "Harlow", "Brentwood", "Braintree", "Clacton-on-Sea"]),
    la("Hertfordshire", "Hertfordshire", 1198, 51.8, -0.25, 0.2, &[("AL", 1, 10), ("SG", 1, 14), ("WD", 17, 25), ("EN", 6, 11)], &["St Albans", "Watford", "Stevenage", "Hemel Hempstead", "Hertford", "Hitchin", "Welwyn Garden City"]),
    la("Luton", "Bedfordshire", 225, 51.88, -0.42, 0.03, &[("LU", 1, 4)], &["Luton"]),
    la("Norfolk", "Norfolk", 916, 52.65, 1.0, 0.35, &[("NR", 1, 35), ("PE", 30, 38)], &["Norwich", "King's Lynn", "Great Yarmouth", "Thetford", "Dereham", "Cromer"]),
    la("Peterborough", "Cambridgeshire", 215, 52.57, -0.24, 0.05, &[("PE", 1, 8)], &["Peterborough"]),
    la("Southend-on-Sea", "Essex", 180, 51.54, 0.71, 0.03, &[("SS", 0, 3)], &["Southend-on-Sea", "Leigh-on-Sea", "Westcliff-on-Sea"]),
    la("Suffolk", "Suffolk", 760, 52.2, 1.0, 0.3, &[("IP", 1, 33)], &["Ipswich", "Bury St Edmunds", "Lowestoft", "Felixstowe", "Sudbury", "Newmarket"]),
    la("Thurrock", "Essex", 176, 51.49, 0.35, 0.04, &[("RM", 15, 20)], &["Grays", "Tilbury", "Stanford-le-Hope"]),
];

#[rustfmt::skip]
const LONDON: &[Authority] = &[
    la("Barking and Dagenham", "", 218, 51.55, 0.13, 0.025, &[("RM", 8, 10), ("IG", 11, 11)], &["Dagenham", "Barking"]),
    la("Barnet", "", 389, 51.62, -0.2, 0.03, &[("N", 20, 20), ("NW", 7, 7), ("NW", 4, 4), ("EN", 4, 5)], &["London", "Barnet"]),
    la("Bexley", "", 246, 51.45, 0.15, 0.03, &[("DA", 5, 8), ("DA", 14, 16)], &["Bexleyheath", "Sidcup", "Erith"]),
    la("Brent", "", 339, 51.56, -0.28, 0.025, &[("NW", 10, 10), ("NW", 2, 2), ("HA", 0, 0), ("HA", 9, 9)], &["London", "Wembley"]),
    la("Bromley", "", 330, 51.37, 0.05, 0.04, &[("BR", 1, 7)], &["Bromley", "Orpington", "Beckenham"]),
    la("Camden", "", 210, 51.55, -0.16, 0.02, &[("NW", 1, 1), ("NW", 3, 3), ("NW", 5, 6)], &["London"]),
    la("Croydon", "", 390, 51.37, -0.1, 0.04, &[("CR", 0, 8)], &["Croydon", "Purley", "Coulsdon"]),
    la("Ealing", "", 367, 51.51, -0.31, 0.025, &[("W", 5, 5), ("W", 13, 13), ("UB", 1, 6)], &["London", "Southall", "Greenford", "Northolt"]),
    la("Enfield", "", 330, 51.65, -0.08, 0.03, &[("EN", 1, 3), ("N", 9, 9), ("N", 21, 21)], &["Enfield", "London"]),
    la("Greenwich", "", 289, 51.48, 0.05, 0.025, &[("SE", 2, 3), ("SE", 7, 10), ("SE", 18, 18), ("SE", 28, 28)], &["London"]),
    la("Hackney", "", 259, 51.55, -0.06, 0.02, &[("E", 5, 5), ("E", 8, 9), ("N", 16, 16)], &["London"]),
    la("Hammersmith and Fulham", "", 183, 51.49, -0.22, 0.02, &[("W", 6, 6), ("W", 12, 12), ("W", 14, 14), ("SW", 6, 6)], &["London"]),
    la("Haringey", "", 264, 51.59, -0.11, 0.02, &[("N", 15, 15), ("N", 17, 17), ("N", 22, 22), ("N", 8, 8)], &["London"]),
    la("Harrow", "", 261, 51.58, -0.34, 0.025, &[("HA", 1, 3), ("HA", 5, 7)], &["Harrow", "Pinner", "Stanmore"]),
    la("Havering", "", 262, 51.57, 0.2, 0.035, &[("RM", 1, 7), ("RM", 11, 14)], &["Romford", "Hornchurch", "Upminster"]),
    la("Hillingdon", "", 305, 51.54, -0.45, 0.04, &[("UB", 7, 10), ("UB", 3, 4), ("HA", 4, 4)], &["Uxbridge", "Hayes", "West Drayton", "Ruislip"]),
    la("Hounslow", "", 288, 51.47, -0.36, 0.03, &[("TW", 3, 5), ("TW", 7, 8), ("TW", 13, 14)], &["Hounslow", "Feltham", "Brentford", "Isleworth"]),
    la("Islington", "", 216, 51.54, -0.1, 0.015, &[("N", 1, 1), ("N", 5, 5), ("N", 7, 7), ("N", 19, 19)], &["London"]),
    la("Kensington and Chelsea", "", 143, 51.5, -0.19, 0.015, &[("W", 8, 8), ("W", 10, 11), ("SW", 3, 3), ("SW", 5, 5), ("SW", 10, 10)], &["London"]),
    la("Kingston upon Thames", "", 168, 51.39, -0.28, 0.025, &[("KT", 1, 6), ("KT", 9, 9)], &["Kingston upon Thames", "Surbiton", "Chessington", "New Malden"]),
    la("Lambeth", "", 317, 51.46, -0.12, 0.02, &[("SE", 11, 11), ("SE", 27, 27), ("SW", 2, 2), ("SW", 8, 9), ("SW", 16, 16)], &["London"]),
    la("Lewisham", "", 300, 51.44, -0.02, 0.02, &[("SE", 4, 4), ("SE", 6, 6), ("SE", 12, 14), ("SE", 23, 23), ("SE", 26, 26)], &["London"]),
    la("Merton", "", 215, 51.41, -0.19, 0.02, &[("SW", 19, 20), ("CR", 4, 4), ("SM", 4, 4)], &["London", "Mitcham", "Morden"]),
    la("Newham", "", 351, 51.53, 0.03, 0.02, &[("E", 6, 7), ("E", 12, 13), ("E", 15, 16)], &["London"]),
    la("Redbridge", "", 310, 51.58, 0.07, 0.025, &[("IG", 1, 8)], &["Ilford", "Woodford Green"]),
    la("Richmond upon Thames", "", 195, 51.44, -0.32, 0.025, &[("TW", 1, 2), ("TW", 9, 12), ("SW", 14, 14)], &["Richmond", "Twickenham", "Teddington"]),
    la("Southwark", "", 307, 51.47, -0.08, 0.02, &[("SE", 1, 1), ("SE", 5, 5), ("SE", 15, 17), ("SE", 21, 22)], &["London"]),
    la("Sutton", "", 209, 51.36, -0.19, 0.025, &[("SM", 1, 3), ("SM", 5, 6)], &["Sutton", "Carshalton", "Wallington"]),
    la("Tower Hamlets", "", 310, 51.51, -0.03, 0.015, &[("E", 1, 3), ("E", 14, 14)], &["London"]),
    la("Waltham Forest", "", 278, 51.59, -0.01, 0.02, &[("E", 4, 4), ("E", 10, 11), ("E", 17, 17)], &["London"]),
    la("Wandsworth", "", 327, 51.45, -0.19, 0.02, &[("SW", 11, 12), ("SW", 15, 15), ("SW", 17, 18)], &["London"]),
    la("Westminster", "", 204, 51.51, -0.16, 0.015, &[("W", 2, 2), ("W", 9, 9), ("NW", 8, 8)], &["London"]),
];

#[rustfmt::skip]
const SOUTH_EAST: &[Authority] = &[
    la("Bracknell Forest", "Berkshire", 125, 51.41, -0.75, 0.04, &[("RG", 12, 12), ("RG", 42, 42)], &["Bracknell", "Crowthorne", "Sandhurst"]),
    la("Brighton and Hove", "East Sussex", 277, 50.84, -0.14, 0.04, &[("BN", 1, 3), ("BN", 41, 42)], &["Brighton", "Hove"]),
    la("Buckinghamshire", "Buckinghamshire", 553, 51.75, -0.8, 0.2, &[("HP", 5, 22), ("SL", 7, 9)], &["Aylesbury", "High Wycombe", "Amersham", "Chesham", "Beaconsfield", "Marlow"]),
    la("East Sussex", "East Sussex", 545, 50.92, 0.25, 0.2, &[("BN", 20, 27), ("TN", 31, 40)], &["Eastbourne", "Hastings", "Lewes", "Bexhill-on-Sea", "Seaford", "Crowborough"]),
    la("Hampshire", "Hampshire", 1400, 51.05, -1.25, 0.3, &[("SO", 20, 24), ("SO", 30, 32), ("GU", 11, 14), ("RG", 21, 27), ("PO", 7, 10)], &["Winchester", "Basingstoke", "Andover", "Eastleigh", "Fareham", "Aldershot", "Farnborough", "Havant"]),
    la("Isle of Wight", "Isle of Wight", 140, 50.68, -1.3, 0.08, &[("PO", 30, 41)], &["Newport", "Ryde", "Sandown", "Shanklin", "Cowes"]),
    la("Kent", "Kent", 1580, 51.2, 0.8, 0.3, &[("CT", 1, 21), ("TN", 1, 30), ("ME", 13, 20), ("DA", 9, 13)], &["Maidstone", "Canterbury", "Ashford", "Folkestone", "Dover", "Margate", "Tunbridge Wells", "Sevenoaks", "Dartford", "Gravesend"]),
    la("Medway", "Kent", 280, 51.38, 0.54, 0.05, &[("ME", 1, 8)], &["Rochester", "Chatham", "Gillingham"]),
    la("Milton Keynes", "Buckinghamshire", 290, 52.04, -0.76, 0.06, &[("MK", 1, 17)], &["Milton Keynes", "Newport Pagnell", "Olney"]),
    la("Oxfordshire", "Oxfordshire", 725, 51.75, -1.3, 0.25, &[("OX", 1, 29), ("OX", 39, 49)], &["Oxford", "Banbury", "Bicester", "Abingdon", "Witney", "Didcot", "Henley-on-Thames"]),
    la("Portsmouth", "Hampshire", 208, 50.8, -1.08, 0.03, &[("PO", 1, 6)], &["Portsmouth", "Southsea"]),
    la("Reading", "Berkshire", 174, 51.45, -0.97, 0.03, &[("RG", 1, 6), ("RG", 30, 31)], &["Reading"]),
    la("Slough", "Berkshire", 158, 51.51, -0.6, 0.03, &[("SL", 1, 3)], &["Slough"]),
    la("Southampton", "Hampshire", 249, 50.91, -1.4, 0.04, &[("SO", 14, 19)], &["Southampton"]),
    la("Surrey", "Surrey", 1200, 51.25, -0.4, 0.22, &[("GU", 1, 10), ("GU", 15, 27), ("KT", 10, 24), ("RH", 1, 9), ("TW", 15, 20)], &["Guildford", "Woking", "Epsom", "Reigate", "Redhill", "Camberley", "Staines-upon-Thames", "Farnham", "Dorking"]),
    la("West Berkshire", "Berkshire", 162, 51.43, -1.3, 0.12, &[("RG", 7, 8), ("RG", 14, 14), ("RG", 17, 20)], &["Newbury", "Thatcham", "Hungerford"]),
    la("West Sussex", "West Sussex", 890, 50.93, -0.45, 0.25, &[("BN", 11, 18), ("PO", 18, 22), ("RH", 10, 20)], &["Worthing", "Crawley", "Horsham", "Chichester", "Bognor Regis", "Littlehampton", "Haywards Heath"]),
    la("Windsor and Maidenhead", "Berkshire", 153, 51.48, -0.67, 0.05, &[("SL", 4, 6)], &["Windsor", "Maidenhead", "Ascot"]),
    la("Wokingham", "Berkshire", 177, 51.41, -0.85, 0.05, &[("RG", 10, 10), ("RG", 40, 41)], &["Wokingham", "Woodley", "Twyford"]),
];

#[rustfmt::skip]
const SOUTH_WEST: &[Authority] = &[
    la("Bath and North East Somerset", "Somerset", 194, 51.35, -2.4, 0.08, &[("BA", 1, 3)], &["Bath", "Keynsham", "Midsomer Norton"]),
    la("Bournemouth, Christchurch and Poole", "Dorset", 400, 50.73, -1.85, 0.05, &[("BH", 1, 18), ("BH", 23, 23)], &["Bournemouth", "Poole", "Christchurch"]),
    la("Bristol", "", 472, 51.46, -2.59, 0.04, &[("BS", 1, 16)], &["Bristol"]),
    la("Cornwall", "Cornwall", 570, 50.35, -4.95, 0.4, &[("TR", 1, 20), ("PL", 10, 35)], &["Truro", "Penzance", "Falmouth", "Newquay", "St Austell", "Bodmin", "Camborne"]),
    la("Devon", "Devon", 812, 50.75, -3.75, 0.4, &[("EX", 1, 39), ("TQ", 6, 13)], &["Exeter", "Barnstaple", "Exmouth", "Newton Abbot", "Tiverton", "Bideford"]),
    la("Dorset", "Dorset", 380, 50.8, -2.35, 0.25, &[("DT", 1, 11), ("BH", 19, 22)], &["Dorchester", "Weymouth", "Bridport", "Wimborne Minster", "Sherborne", "Swanage"]),
    la("Gloucestershire", "Gloucestershire", 650, 51.85, -2.2, 0.2, &[("GL", 1, 20), ("GL", 50, 56)], &["Gloucester", "Cheltenham", "Stroud", "Cirencester", "Tewkesbury"]),
    la("Isles of Scilly", "Isles of Scilly", 2, 49.92, -6.3, 0.03, &[("TR", 21, 25)], &["St Mary's"]),
    la("North Somerset", "Somerset", 216, 51.38, -2.8, 0.1, &[("BS", 20, 24), ("BS", 48, 49)], &["Weston-super-Mare", "Clevedon", "Portishead", "Nailsea"]),
    la("Plymouth", "Devon", 265, 50.38, -4.14, 0.04, &[("PL", 1, 9)], &["Plymouth"]),
    la("Somerset", "Somerset", 575, 51.1, -2.95, 0.25, &[("TA", 1, 24), ("BA", 4, 11), ("BA", 20, 22)], &["Taunton", "Yeovil", "Bridgwater", "Frome", "Wells", "Minehead"]),
    la("South Gloucestershire", "Gloucestershire", 290, 51.53, -2.45, 0.07, &[("BS", 30, 37)], &["Yate", "Kingswood", "Thornbury", "Bradley Stoke"]),
    la("Swindon", "Wiltshire", 234, 51.56, -1.78, 0.05, &[("SN", 1, 6), ("SN", 25, 26)], &["Swindon", "Highworth"]),
    la("Torbay", "Devon", 139, 50.45, -3.55, 0.03, &[("TQ", 1, 5)], &["Torquay", "Paignton", "Brixham"]),
    la("Wiltshire", "Wiltshire", 510, 51.3, -1.95, 0.25, &[("SN", 8, 16), ("SP", 1, 5), ("BA", 12, 15)], &["Salisbury", "Chippenham", "Trowbridge", "Devizes", "Marlborough", "Warminster"]),
];

/// Letters the regulator's inward codes use (C, I, K, M, O and V never appear).
pub const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

// ---------------------------------------------------------------- services

pub const DIRECTORATE: &str = "Adult social care";
pub const RESIDENTIAL_CATEGORY: &str = "Residential social care";
pub const COMMUNITY_CATEGORY: &str = "Community based adult social care services";

pub const NURSING_HOME_SERVICE: &str = "Care home service with nursing";
pub const CARE_HOME_SERVICE: &str = "Care home service without nursing";
pub const HOMECARE_SERVICE: &str = "Domiciliary care service";
pub const SUPPORTED_LIVING_SERVICE: &str = "Supported living service";
pub const EXTRA_CARE_SERVICE: &str = "Extra Care housing services";
pub const SHARED_LIVES_SERVICE: &str = "Shared Lives";
pub const RESIDENTIAL_SUBSTANCE_SERVICE: &str = "Residential substance misuse treatment and rehabilitation service";

/// One of the less common adult social care services.
pub struct OtherService {
    pub service_type: &'static str,
    /// Relative frequency among the less common services.
    pub weight: u32,
    /// Whether people live there, so that it is inspected as residential care.
    pub residential: bool,
    pub name_words: &'static [&'static str],
    pub bands: &'static [(&'static str, u32)],
}

pub const OTHER_SERVICES: &[OtherService] = &[
    OtherService {
        service_type: "Community based services for people with a learning disability",
        weight: 40,
        residential: false,
        name_words: &["Community Support", "Outreach", "Day Opportunities"],
        bands: COMMUNITY_LEARNING_DISABILITY_BANDS,
    },
    OtherService {
        service_type: "Community based services for people with mental health needs",
        weight: 15,
        residential: false,
        name_words: &["Recovery Support", "Community Wellbeing", "Outreach Service"],
        bands: COMMUNITY_MENTAL_HEALTH_BANDS,
    },
    OtherService {
        service_type: "Community based services for people who misuse substances",
        weight: 10,
        residential: false,
        name_words: &["Recovery Service", "Community Recovery"],
        bands: SUBSTANCE_MISUSE_BANDS,
    },
    OtherService {
        service_type: RESIDENTIAL_SUBSTANCE_SERVICE,
        weight: 20,
        residential: true,
        name_words: &["Recovery Centre", "House", "Lodge"],
        bands: SUBSTANCE_MISUSE_BANDS,
    },
    OtherService {
        service_type: "Rehabilitation services",
        weight: 5,
        residential: false,
        name_words: &["Rehabilitation Service", "Reablement Service"],
        bands: REHABILITATION_BANDS,
    },
    OtherService {
        service_type: "Specialist college service",
        weight: 10,
        residential: false,
        name_words: &["College", "Specialist College"],
        bands: COLLEGE_BANDS,
    },
];

pub const ACCOMMODATION: &str = "Accommodation for persons who require nursing or personal care";
pub const PERSONAL_CARE: &str = "Personal care";
pub const TREATMENT: &str = "Treatment of disease, disorder or injury";
pub const DIAGNOSTIC: &str = "Diagnostic and screening procedures";
pub const SUBSTANCE_ACCOMMODATION: &str = "Accommodation for persons who require treatment for substance misuse";

// The regulator's service user bands, as the directory names them.
pub const OLDER_PEOPLE: &str = "Older People";
pub const YOUNGER_ADULTS: &str = "Younger Adults";
pub const DEMENTIA: &str = "Dementia";
pub const LEARNING_DISABILITIES: &str = "Learning disabilities";
pub const MENTAL_HEALTH: &str = "Mental Health";
pub const PHYSICAL_DISABILITY: &str = "Physical Disability";
pub const SENSORY_IMPAIRMENT: &str = "Sensory Impairment";
pub const DRUGS_AND_ALCOHOL: &str = "People who misuse drugs and alcohol";
pub const EATING_DISORDER: &str = "People with an eating disorder";
pub const DETAINED: &str = "People detained under the Mental Health Act";
pub const WHOLE_POPULATION: &str = "Whole Population";
pub const CHILDREN_13_18: &str = "Children 13-18 years";

/// Chance, in percent, that a service of each kind serves each band. Dementia is
/// common in care homes for older people; learning disability services serve
/// mostly younger adults.
pub const NURSING_BANDS: &[(&str, u32)] = &[
    (OLDER_PEOPLE, 96),
    (DEMENTIA, 80),
    (PHYSICAL_DISABILITY, 55),
    (YOUNGER_ADULTS, 30),
    (SENSORY_IMPAIRMENT, 25),
    (MENTAL_HEALTH, 25),
    (LEARNING_DISABILITIES, 5),
];
pub const OLDER_HOME_BANDS: &[(&str, u32)] = &[
    (OLDER_PEOPLE, 98),
    (DEMENTIA, 70),
    (PHYSICAL_DISABILITY, 35),
    (SENSORY_IMPAIRMENT, 20),
    (MENTAL_HEALTH, 15),
    (YOUNGER_ADULTS, 10),
];
pub const LEARNING_DISABILITY_HOME_BANDS: &[(&str, u32)] = &[
    (LEARNING_DISABILITIES, 92),
    (YOUNGER_ADULTS, 95),
    (PHYSICAL_DISABILITY, 30),
    (MENTAL_HEALTH, 25),
    (SENSORY_IMPAIRMENT, 15),
    (OLDER_PEOPLE, 10),
];
pub const MENTAL_HEALTH_HOME_BANDS: &[(&str, u32)] = &[
    (MENTAL_HEALTH, 97),
    (YOUNGER_ADULTS, 85),
    (OLDER_PEOPLE, 30),
    (DRUGS_AND_ALCOHOL, 15),
    (EATING_DISORDER, 5),
    (DETAINED, 8),
];
pub const HOMECARE_BANDS: &[(&str, u32)] = &[
    (OLDER_PEOPLE, 92),
    (DEMENTIA, 65),
    (PHYSICAL_DISABILITY, 60),
    (YOUNGER_ADULTS, 55),
    (SENSORY_IMPAIRMENT, 35),
    (MENTAL_HEALTH, 35),
    (LEARNING_DISABILITIES, 30),
    (CHILDREN_13_18, 8),
    (WHOLE_POPULATION, 5),
];
pub const SUPPORTED_LIVING_BANDS: &[(&str, u32)] = &[
    (LEARNING_DISABILITIES, 85),
    (YOUNGER_ADULTS, 90),
    (MENTAL_HEALTH, 45),
    (PHYSICAL_DISABILITY, 25),
    (OLDER_PEOPLE, 20),
    (SENSORY_IMPAIRMENT, 10),
];
pub const EXTRA_CARE_BANDS: &[(&str, u32)] =
    &[(OLDER_PEOPLE, 98), (DEMENTIA, 60), (PHYSICAL_DISABILITY, 50), (SENSORY_IMPAIRMENT, 25), (YOUNGER_ADULTS, 20)];
pub const SHARED_LIVES_BANDS: &[(&str, u32)] = &[
    (LEARNING_DISABILITIES, 85),
    (YOUNGER_ADULTS, 80),
    (OLDER_PEOPLE, 40),
    (MENTAL_HEALTH, 35),
    (PHYSICAL_DISABILITY, 20),
];
pub const COMMUNITY_LEARNING_DISABILITY_BANDS: &[(&str, u32)] =
    &[(LEARNING_DISABILITIES, 95), (YOUNGER_ADULTS, 90), (MENTAL_HEALTH, 30), (PHYSICAL_DISABILITY, 20)];
pub const COMMUNITY_MENTAL_HEALTH_BANDS: &[(&str, u32)] =
    &[(MENTAL_HEALTH, 97), (YOUNGER_ADULTS, 85), (OLDER_PEOPLE, 35), (DRUGS_AND_ALCOHOL, 20)];
pub const SUBSTANCE_MISUSE_BANDS: &[(&str, u32)] =
    &[(DRUGS_AND_ALCOHOL, 98), (YOUNGER_ADULTS, 80), (MENTAL_HEALTH, 40), (OLDER_PEOPLE, 15)];
pub const REHABILITATION_BANDS: &[(&str, u32)] =
    &[(PHYSICAL_DISABILITY, 90), (YOUNGER_ADULTS, 80), (OLDER_PEOPLE, 60), (SENSORY_IMPAIRMENT, 30)];
pub const COLLEGE_BANDS: &[(&str, u32)] =
    &[(LEARNING_DISABILITIES, 95), (YOUNGER_ADULTS, 95), (CHILDREN_13_18, 60), (PHYSICAL_DISABILITY, 40)];

/// Beds as (lowest, highest, weight) buckets. Care homes for older people cluster
/// around 30–40 beds, nursing homes around 60, learning disability homes are small.
pub const OLDER_HOME_BEDS: &[(u32, u32, u32)] =
    &[(6, 9, 3), (10, 19, 14), (20, 29, 22), (30, 39, 22), (40, 49, 16), (50, 69, 14), (70, 99, 7), (100, 120, 2)];
pub const NURSING_HOME_BEDS: &[(u32, u32, u32)] =
    &[(15, 29, 8), (30, 44, 20), (45, 59, 25), (60, 79, 24), (80, 99, 13), (100, 149, 9), (150, 180, 1)];
pub const SMALL_HOME_BEDS: &[(u32, u32, u32)] = &[(2, 3, 20), (4, 6, 40), (7, 10, 28), (11, 20, 10), (21, 40, 2)];

/// How many locations a provider runs: (fewest, most, weight per 100,000). Shaped
/// like k^-2.5, so three providers in four run one location. The largest groups
/// are added separately.
pub const PROVIDER_SIZES: &[(u32, u32, u32)] = &[
    (1, 1, 74516),
    (2, 2, 13173),
    (3, 3, 4780),
    (4, 4, 2329),
    (5, 5, 1333),
    (6, 6, 841),
    (7, 7, 577),
    (8, 8, 412),
    (9, 9, 307),
    (10, 10, 236),
    (11, 20, 925),
    (21, 50, 396),
    (51, 99, 88),
];

// ---------------------------------------------------------------- ratings

/// Current overall rating weights, in tenths of a percent: Outstanding, Good,
/// Requires improvement, Inadequate. Nursing homes fare a little worse than the
/// rest, as they do in the published register.
pub const NURSING_RATING_MIX: [u32; 4] = [30, 700, 240, 30];
pub const CARE_HOME_RATING_MIX: [u32; 4] = [45, 770, 165, 20];
pub const COMMUNITY_RATING_MIX: [u32; 4] = [55, 795, 137, 13];

// ---------------------------------------------------------------- names

/// Invented word parts for service names ("Willowbrook", "Hazelmead").
pub const PLACE_FIRST: &[&str] = &[
    "Willow", "Meadow", "Oak", "Rowan", "Hazel", "Briar", "Heather", "Fern", "Wren", "Lark", "Thistle", "Bramble",
    "Clover", "Juniper", "Alder", "Linden", "Sorrel", "Tansy", "Amber", "Silver", "Golden", "Holly", "Laurel", "Cedar",
    "Maple", "Ash", "Elm", "Birch", "Primrose", "Bluebell", "Foxglove", "Kestrel", "Heron", "Swallow", "Marigold",
    "Larch", "Aspen", "Yew", "Beech", "Poppy", "Daisy", "Ivy", "Sunny", "Green", "Fair", "Mill", "Brook", "Spring",
    "Summer", "Lavender", "Rose", "Cherry", "Apple", "Pine", "Moss", "Robin", "Finch", "Dove",
];
pub const PLACE_SECOND: &[&str] = &[
    "brook", "view", "field", "dale", "mead", "bank", "croft", "wood", "lea", "holme", "gate", "ridge", "side", "vale",
    "hurst", "combe", "haven", "well", "stead", "mere", "thorpe", "ford", "moor", "glade", "hollow", "lands", "hill",
    "tree", "garth", "cliffe",
];
pub const CARE_HOME_WORDS: &[&str] = &[
    "House",
    "House",
    "Lodge",
    "Lodge",
    "Court",
    "Manor",
    "Grange",
    "Hall",
    "Care Home",
    "Care Home",
    "Residential Home",
    "Rest Home",
    "Gardens",
    "Villa",
];
pub const NURSING_HOME_WORDS: &[&str] =
    &["Nursing Home", "Nursing Home", "Care Centre", "Care Home", "House", "Manor", "Court", "Hall", "Grange"];
pub const EXTRA_CARE_WORDS: &[&str] = &["Court", "Gardens", "Place", "Extra Care Scheme", "House", "Mews"];
pub const STREET_WORDS: &[&str] = &[
    "Church",
    "Station",
    "Park",
    "Victoria",
    "Mill",
    "High",
    "School",
    "Queens",
    "Kings",
    "North",
    "South",
    "Manor",
    "Grange",
    "Chapel",
    "Green",
    "West",
    "East",
    "Albert",
    "Orchard",
    "Meadow",
    "Springfield",
    "Highfield",
    "Windmill",
    "Castle",
    "Bridge",
    "Market",
    "Prospect",
    "Cross",
    "New",
    "Beech",
    "Oak",
    "Elm",
    "Ash",
    "Westfield",
];
pub const STREET_KINDS: &[&str] = &[
    "Road", "Road", "Road", "Street", "Street", "Lane", "Lane", "Avenue", "Close", "Drive", "Way", "Gardens",
    "Crescent", "Grove", "Terrace", "Place",
];
pub const OFFICE_WORDS: &[&str] =
    &["Business Centre", "Business Park", "Enterprise Centre", "House", "Court", "Works", "Chambers"];

/// Invented, whimsical word parts for provider names ("Tumblewhistle Care Ltd"),
/// so no provider could be taken for a real company.
pub const PROVIDER_FIRST: &[&str] = &[
    "Tumble", "Quill", "Pebble", "Bumble", "Marrow", "Nettle", "Puddle", "Saffron", "Copper", "Velvet", "Lantern",
    "Kindle", "Hearth", "Bright", "Gentle", "Steady", "Kindly", "Dapple", "Merry", "Honey", "Thimble", "Acorn",
    "Button", "Candle", "Feather", "Hedgerow", "Jasper", "Lollop", "Mallow", "Nimble", "Oriel", "Parsley", "Quiet",
    "Rambler", "Sprout", "Teasel", "Upland", "Vesper", "Wander", "Yarrow", "Zephyr", "Bracken", "Cobble", "Dewdrop",
    "Ember", "Flint", "Gossamer", "Hollin", "Inkle", "Jubilee",
];
pub const PROVIDER_SECOND: &[&str] = &[
    "whistle", "mere", "path", "stone", "wick", "light", "field", "bridge", "leaf", "spring", "wood", "way", "thorn",
    "combe", "cot", "ling", "by", "worth", "more", "ridge", "star", "heart", "well", "gate", "hill", "dell", "wing",
    "bloom", "nook", "shire",
];
pub const CARE_HOME_GROUP_WORDS: &[&str] = &[
    "Care",
    "Care Homes",
    "Healthcare",
    "Residential Care",
    "Nursing Homes",
    "Lifecare",
    "Senior Living",
    "Care Group",
];
pub const COMMUNITY_GROUP_WORDS: &[&str] = &[
    "Homecare",
    "Home Care",
    "Care Services",
    "Support",
    "Community Care",
    "Care at Home",
    "Support Services",
    "Living",
];
pub const MIXED_GROUP_WORDS: &[&str] = &["Care", "Care and Support", "Healthcare", "Care Group", "Care Partnership"];
pub const LEGAL_SUFFIXES: &[&str] = &["Ltd", "Ltd", "Ltd", "Ltd", "Limited", "Limited", "Ltd", "CIC"];
pub const CHARITY_WORDS: &[&str] = &["Trust", "Foundation", "Housing Association", "Society"];
/// Extra words that keep provider names unique when the invented stems run short.
pub const PROVIDER_QUALIFIERS: &[&str] = &["North", "South", "East", "West", "Central", "UK", "England", "Midlands"];
pub const BRANCH_QUALIFIERS: &[&str] = &["North", "South", "East", "West", "Central"];

pub const RELATIONSHIP_REASON: &str = "Change of provider";
