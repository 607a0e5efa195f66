namespace GmaiBench.Tests.Catalogue;

/// <summary>
/// For each entry of <c>pipelines/sources/</c>: the dataset's real raw label vocabulary (as it ships it) and a writer of a
/// miniature in its real folder structure and file naming, a few files per label, so the suite can build the entry as a
/// user would after pointing <c>root:</c> at the download.
/// </summary>
public static class CatalogueMiniatures
{
    /// <summary>One entry's miniature: <see cref="Vocabulary"/> is every raw label the dataset uses, spelt as it ships them.</summary>
    public sealed record Miniature(string Id, IReadOnlyList<string> Vocabulary, Action<MiniatureWriter> Write);

    private static Miniature ClassFolders(string id, IReadOnlyList<string> classes, Func<string, int, string> path) =>
        new(id, classes, w =>
        {
            foreach (var (c, i) in classes.Select((c, i) => (c, i)))
            {
                w.Image(path(c, i));
                w.Image(path(c, i + 100));
            }
        });

    private static readonly string[] Decathlon01 = ["edema", "non-enhancing tumor", "enhancing tumour"];

    public static IReadOnlyList<Miniature> All { get; } =
    [
        new("isic2019", ["MEL", "NV", "BCC", "AK", "BKL", "DF", "VASC", "SCC"], w =>
        {
            string[] columns = ["MEL", "NV", "BCC", "AK", "BKL", "DF", "VASC", "SCC", "UNK"];
            var rows = new List<string> { "image," + string.Join(',', columns) };
            for (var i = 0; i < 16; i++)
            {
                var name = $"ISIC_{i:0000000}";
                w.Image($"ISIC_2019_Training_Input/{name}.jpg");
                rows.Add(name + "," + string.Join(',', columns.Select((_, c) => c == i % 8 ? "1.0" : "0.0")));
            }
            w.Text("ISIC_2019_Training_GroundTruth.csv", string.Join('\n', rows) + "\n");
        }),
        new("ham10000", ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"], w =>
        {
            string[] dx = ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"];
            var rows = new List<string> { "lesion_id,image_id,dx,dx_type,age,sex,localization" };
            for (var i = 0; i < 14; i++)
            {
                var image = $"ISIC_{24306 + i:0000000}";
                w.Image($"HAM10000_images_part_{1 + i % 2}/{image}.jpg");
                rows.Add($"HAM_{i / 2:0000000},{image},{dx[i % 7]},histo,55.0,male,back");
            }
            w.Text("HAM10000_metadata.csv", string.Join('\n', rows) + "\n");
        }),
        new("isic2018-task1", ["skin lesion"], w =>
        {
            foreach (var n in new[] { "ISIC_0000000", "ISIC_0000001" })
            {
                w.Image($"ISIC2018_Task1-2_Training_Input/{n}.jpg");
                w.Mask($"ISIC2018_Task1_Training_GroundTruth/{n}_segmentation.png", 255);
            }
            w.Text("ISIC2018_Task1-2_Training_Input/ATTRIBUTION.txt", "miniature\n");
        }),
        new("aptos2019", ["0", "1", "2", "3", "4"], w =>
        {
            var rows = new List<string> { "id_code,diagnosis" };
            for (var i = 0; i < 10; i++)
            {
                var id = $"{0x000c1434d8d7 + i:x12}";
                w.Image($"train_images/{id}.png");
                rows.Add($"{id},{i % 5}");
            }
            w.Text("train.csv", string.Join('\n', rows) + "\n");
        }),
        ClassFolders("oct2017", ["CNV", "DME", "DRUSEN", "NORMAL"], (c, i) => $"{(i < 100 ? "train" : "test")}/{c}/{c}-{1016042 + i % 100}-{1 + i / 100}.jpeg"),
        new("chest-xray-pneumonia", ["NORMAL", "PNEUMONIA"], w =>
        {
            w.Image("train/NORMAL/IM-0115-0001.jpeg");
            w.Image("test/NORMAL/NORMAL2-IM-1427-0001.jpeg");
            w.Image("train/PNEUMONIA/person1_bacteria_1.jpeg");
            w.Image("val/PNEUMONIA/person1946_bacteria_4874.jpeg");
            w.Image("train/PNEUMONIA/person22_virus_55.jpeg");
        }),
        ClassFolders("refuge", ["Glaucoma", "Non-Glaucoma"], (c, i) => $"Training400/{c}/{char.ToLowerInvariant(c[0])}{1 + i:0000}.jpg"),
        new("chestxray14", ["Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Effusion", "Emphysema", "Fibrosis", "Hernia",
            "Infiltration", "Mass", "Nodule", "Pleural_Thickening", "Pneumonia", "Pneumothorax", "No Finding"], w =>
        {
            string[] findings = ["Cardiomegaly", "No Finding", "Atelectasis|Effusion", "Consolidation|Edema|Infiltration", "Emphysema",
                "Fibrosis|Pleural_Thickening", "Hernia", "Mass|Nodule", "Pneumonia", "Pneumothorax", "Effusion"];
            var rows = new List<string> { "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]" };
            for (var i = 0; i < findings.Length; i++)
            {
                var name = $"{1 + i / 2:00000000}_{i % 2:000}.png";
                w.Image($"images/{name}");
                rows.Add($"{name},{findings[i]},{i % 2},{1 + i / 2},57,M,PA,2682,2749,0.143,0.143");
            }
            w.Text("Data_Entry_2017_v2020.csv", string.Join('\n', rows) + "\n");
        }),
        new("chexpert-small", ["No Finding", "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity", "Lung Lesion", "Edema",
            "Consolidation", "Pneumonia", "Atelectasis", "Pneumothorax", "Pleural Effusion", "Pleural Other", "Fracture", "Support Devices"], w =>
        {
            string[] observations = ["No Finding", "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity", "Lung Lesion", "Edema",
                "Consolidation", "Pneumonia", "Atelectasis", "Pneumothorax", "Pleural Effusion", "Pleural Other", "Fracture", "Support Devices"];
            var rows = new List<string> { "Path,Sex,Age,Frontal/Lateral,AP/PA," + string.Join(',', observations) };
            for (var i = 0; i < observations.Length; i++)
            {
                var path = $"CheXpert-v1.0-small/train/patient{1 + i / 2:00000}/study1/view{1 + i % 2}_{(i % 2 == 0 ? "frontal" : "lateral")}.jpg";
                w.Image(path);
                // 1.0 positive, -1.0 uncertain (not taken), 0.0 negative, blank unmentioned: as the table ships them.
                var cells = observations.Select((_, c) => c == i ? "1.0" : c == (i + 1) % observations.Length ? "-1.0" : c % 3 == 0 ? "0.0" : "");
                rows.Add($"{path},Female,68,{(i % 2 == 0 ? "Frontal" : "Lateral")},{(i % 2 == 0 ? "AP" : "")}," + string.Join(',', cells));
            }
            w.Text("CheXpert-v1.0-small/train.csv", string.Join('\n', rows) + "\n");
        }),
        new("covid19-radiography", ["COVID", "Lung_Opacity", "Normal", "Viral Pneumonia"], w =>
        {
            foreach (var c in new[] { "COVID", "Lung_Opacity", "Normal", "Viral Pneumonia" })
                for (var i = 1; i <= 2; i++)
                {
                    w.Image($"{c}/images/{c}-{i}.png");
                    w.Mask($"{c}/masks/{c}-{i}.png", 255);
                }
        }),
        ClassFolders("brain-tumor-mri", ["glioma", "meningioma", "notumor", "pituitary"], (c, i) => i < 100 ? $"Training/{c}/Tr-{c[..2]}_{i:0000}.jpg" : $"Testing/{c}/Te-{c[..2]}_{i:0000}.jpg"),
        ClassFolders("kvasir-v2", ["dyed-lifted-polyps", "dyed-resection-margins", "esophagitis", "normal-cecum", "normal-pylorus", "normal-z-line",
            "polyps", "ulcerative-colitis"], (c, i) => $"{c}/{Guid(c, i)}.jpg"),
        new("hyper-kvasir", HyperKvasir.Select(h => h.Class).ToList(), w =>
        {
            foreach (var (tract, category, c) in HyperKvasir)
                for (var i = 0; i < 2; i++) w.Image($"{tract}/{category}/{c}/{Guid(c, i)}.jpg");
        }),
        new("cvc-clinicdb", ["polyp"], w =>
        {
            for (var i = 1; i <= 3; i++)
            {
                w.Image($"Original/{i}.tif");
                w.Mask($"Ground Truth/{i}.tif", 255);
            }
        }),
        new("m2cai16-tool-locations", ["Grasper", "Bipolar", "Hook", "Scissors", "Clipper", "Irrigator", "SpecimenBag"], w =>
        {
            string[][] frames = [["Grasper", "Hook"], ["Bipolar", "Scissors"], ["Clipper", "Irrigator", "Grasper"], ["SpecimenBag"], ["Hook"]];
            for (var i = 0; i < frames.Length; i++)
            {
                var name = $"v{1 + i % 3:00}_{(i + 1) * 25:000000}";
                w.Image($"JPEGImages/{name}.jpg");
                w.Voc($"Annotations/{name}.xml", $"{name}.jpg", frames[i]);
            }
        }),
        new("busi", ["benign", "malignant", "normal"], w =>
        {
            foreach (var c in new[] { "benign", "malignant", "normal" })
                for (var i = 1; i <= 2; i++)
                {
                    w.Image($"{c}/{c} ({i}).png");
                    w.Mask($"{c}/{c} ({i})_mask.png", 255);
                }
            w.Mask("benign/benign (2)_mask_1.png", 255);
        }),
        new("bccd", ["WBC", "RBC", "Platelets"], w =>
        {
            string[][] images = [["WBC", "RBC", "RBC"], ["RBC", "Platelets"], ["WBC", "Platelets", "RBC"]];
            for (var i = 0; i < images.Length; i++)
            {
                var name = $"BloodImage_{i:00000}";
                w.Image($"JPEGImages/{name}.jpg");
                w.Voc($"Annotations/{name}.xml", $"{name}.jpg", images[i]);
            }
        }),
        ClassFolders("pbc-blood-cells", ["basophil", "eosinophil", "erythroblast", "ig", "lymphocyte", "monocyte", "neutrophil", "platelet"],
            (c, i) => $"{c}/{PbcPrefix(c)}_{100102 + i}.jpg"),
        ClassFolders("nct-crc-he-100k", ["ADI", "BACK", "DEB", "LYM", "MUC", "MUS", "NORM", "STR", "TUM"], (c, i) => $"{c}/{c}-{Guid(c, i)[..8].ToUpperInvariant()}.tif"),
        new("breakhis", BreakHis.Select(b => b.Type).ToList(), w =>
        {
            foreach (var (kind, type, code) in BreakHis)
                for (var i = 0; i < 2; i++)
                {
                    var patient = $"{14 + i}-{22549 + type.Length}AB";
                    w.Image($"histology_slides/breast/{kind}/SOB/{type}/SOB_{kind[0] switch { 'b' => "B", _ => "M" }}_{code}_{patient}/40X/SOB_{(kind == "benign" ? "B" : "M")}_{code}-{patient}-40-{1 + i:000}.png");
                }
        }),
        new("malaria-cell-images", ["Parasitized", "Uninfected"], w =>
        {
            w.Image("Parasitized/C33P1thinF_IMG_20150619_114756a_cell_179.png");
            w.Image("Parasitized/C37BP2_thinF_IMG_20150620_133111a_cell_87.png");
            w.Image("Uninfected/C1_thinF_IMG_20150604_104722_cell_9.png");
            w.Image("Uninfected/C2NThinF_IMG_20150604_114751_cell_150.png");
        }),
        new("msd-task01-braintumour", Decathlon01, w => w.Decathlon(Decathlon01, ["BRATS_001", "BRATS_002"], volumes: 4)),
        new("msd-task02-heart", ["left atrium"], w => w.Decathlon(["left atrium"], ["la_003", "la_004"])),
        new("msd-task03-liver", ["liver", "cancer"], w => w.Decathlon(["liver", "cancer"], ["liver_0", "liver_1"])),
        new("msd-task04-hippocampus", ["Anterior", "Posterior"], w => w.Decathlon(["Anterior", "Posterior"], ["hippocampus_001", "hippocampus_003"])),
        new("msd-task05-prostate", ["PZ", "TZ"], w => w.Decathlon(["PZ", "TZ"], ["prostate_00", "prostate_01"], volumes: 2)),
        new("msd-task06-lung", ["cancer"], w => w.Decathlon(["cancer"], ["lung_001", "lung_003"])),
        new("msd-task07-pancreas", ["pancreas", "cancer"], w => w.Decathlon(["pancreas", "cancer"], ["pancreas_001", "pancreas_004"])),
        new("msd-task08-hepaticvessel", ["Vessel", "Tumour"], w => w.Decathlon(["Vessel", "Tumour"], ["hepaticvessel_001", "hepaticvessel_002"])),
        new("msd-task09-spleen", ["spleen"], w => w.Decathlon(["spleen"], ["spleen_2", "spleen_3"])),
        new("msd-task10-colon", ["colon cancer primaries"], w => w.Decathlon(["colon cancer primaries"], ["colon_001", "colon_005"])),
        new("btcv", ["spleen", "right kidney", "left kidney", "gallbladder", "esophagus", "liver", "stomach", "aorta", "inferior vena cava",
            "portal vein and splenic vein", "pancreas", "right adrenal gland", "left adrenal gland"], w =>
        {
            foreach (var n in new[] { "0001", "0002" })
                w.VolumePair($"RawData/Training/img/img{n}.nii.gz", $"RawData/Training/label/label{n}.nii.gz", [.. Enumerable.Range(1, 13)]);
        }),
        new("kits19", ["kidney", "tumor"], w =>
        {
            foreach (var n in new[] { "case_00000", "case_00001" }) w.VolumePair($"data/{n}/imaging.nii.gz", $"data/{n}/segmentation.nii.gz", [1, 2]);
        }),
        new("lits", ["liver", "tumor"], w =>
        {
            w.VolumePair("Training Batch 1/volume-0.nii", "Training Batch 1/segmentation-0.nii", [1, 2]);
            w.VolumePair("Training Batch 2/volume-28.nii", "Training Batch 2/segmentation-28.nii", [1, 2]);
        }),
        new("brats2021", ["necrotic tumor core (NCR)", "peritumoral edematous/invaded tissue (ED)", "GD-enhancing tumor (ET)"], w =>
        {
            foreach (var n in new[] { "BraTS2021_00000", "BraTS2021_00002" })
            {
                w.VolumePair($"{n}/{n}_flair.nii.gz", $"{n}/{n}_seg.nii.gz", [1, 2, 4]);
                w.VolumePair($"{n}/{n}_t1.nii.gz", $"{n}/{n}_t1ce.nii.gz", [1]);
            }
        }),
        new("acdc", ["RV", "MYO", "LV"], w =>
        {
            foreach (var (p, frames) in new[] { ("patient001", new[] { "01", "12" }), ("patient002", new[] { "01" }) })
            {
                foreach (var f in frames) w.VolumePair($"database/training/{p}/{p}_frame{f}.nii.gz", $"database/training/{p}/{p}_frame{f}_gt.nii.gz", [1, 2, 3]);
                w.Text($"database/training/{p}/Info.cfg", "ED: 1\nES: 12\nGroup: DCM\n");
            }
        }),
    ];

    private static (string Tract, string Category, string Class)[] HyperKvasir =>
    [
        ("lower-gi-tract", "anatomical-landmarks", "cecum"), ("lower-gi-tract", "anatomical-landmarks", "ileum"),
        ("lower-gi-tract", "anatomical-landmarks", "retroflex-rectum"), ("lower-gi-tract", "pathological-findings", "hemorrhoids"),
        ("lower-gi-tract", "pathological-findings", "polyps"), ("lower-gi-tract", "pathological-findings", "ulcerative-colitis-grade-0-1"),
        ("lower-gi-tract", "pathological-findings", "ulcerative-colitis-grade-1"), ("lower-gi-tract", "pathological-findings", "ulcerative-colitis-grade-1-2"),
        ("lower-gi-tract", "pathological-findings", "ulcerative-colitis-grade-2"), ("lower-gi-tract", "pathological-findings", "ulcerative-colitis-grade-2-3"),
        ("lower-gi-tract", "pathological-findings", "ulcerative-colitis-grade-3"), ("lower-gi-tract", "quality-of-mucosal-views", "bbps-0-1"),
        ("lower-gi-tract", "quality-of-mucosal-views", "bbps-2-3"), ("lower-gi-tract", "quality-of-mucosal-views", "impacted-stool"),
        ("lower-gi-tract", "therapeutic-interventions", "dyed-lifted-polyps"), ("lower-gi-tract", "therapeutic-interventions", "dyed-resection-margins"),
        ("upper-gi-tract", "anatomical-landmarks", "pylorus"), ("upper-gi-tract", "anatomical-landmarks", "retroflex-stomach"),
        ("upper-gi-tract", "anatomical-landmarks", "z-line"), ("upper-gi-tract", "pathological-findings", "barretts"),
        ("upper-gi-tract", "pathological-findings", "barretts-short-segment"), ("upper-gi-tract", "pathological-findings", "esophagitis-a"),
        ("upper-gi-tract", "pathological-findings", "esophagitis-b-d"),
    ];

    private static (string Kind, string Type, string Code)[] BreakHis =>
    [
        ("benign", "adenosis", "A"), ("benign", "fibroadenoma", "F"), ("benign", "phyllodes_tumor", "PT"), ("benign", "tubular_adenoma", "TA"),
        ("malignant", "ductal_carcinoma", "DC"), ("malignant", "lobular_carcinoma", "LC"), ("malignant", "mucinous_carcinoma", "MC"),
        ("malignant", "papillary_carcinoma", "PC"),
    ];

    private static string PbcPrefix(string c) => c switch
    {
        "basophil" => "BA", "eosinophil" => "EO", "erythroblast" => "ERB", "ig" => "MY", "lymphocyte" => "LY", "monocyte" => "MO",
        "neutrophil" => "SNE", _ => "PLATELET",
    };

    /// <summary>A UUID-like file name (Kvasir and HyperKvasir name their images so), fixed per class and index.</summary>
    private static string Guid(string c, int i)
    {
        var h = GmaiBench.Model.Prng.Mix(7, $"{c}/{i}");
        return $"{h:x16}"[..8] + "-" + $"{h:x16}"[8..12] + "-" + $"{h:x16}"[12..16] + "-" + $"{~h:x16}"[..4] + "-" + $"{~h:x16}"[4..16];
    }
}
